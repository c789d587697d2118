"""Change requests: a producer account asks for a change of its product's identity (name, product
set, place; on a recognised product also standards and packaging) and a commune or province
officer approves or rejects it with a reason. The certificate keeps what was recognised either way
(its `certified_*` values); re-issuing one for the changed product is a new decision.

The requested values are kept as the field's stored value (`attname`: a unit's primary key) with
the value the product had when asked, so an officer sees old → new, and a request made stale by
another change is refused instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import (
    ADD,
    ADMIN,
    CENTRAL,
    CHANGE,
    COMMUNE,
    COUNCIL,
    PRODUCER,
    PROVINCE,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)
from ocop.geo.models import Unit

from .products import REQUESTABLE, Product, classification_choices

DECIDE = frozenset({VIEW, CHANGE})


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Bị từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút")


class ChangeRequest(models.Model):
    """A producer's request to change its product's identity, decided by an officer."""

    product = models.ForeignKey(
        Product, verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="change_requests"
    )
    # {field name: {"old": stored value when asked, "new": requested stored value}}
    changes = models.JSONField(_("nội dung đề nghị"), default=dict)
    reason = models.TextField(_("lý do đề nghị"), max_length=2000)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("ý kiến của cán bộ"), max_length=2000, blank=True)

    # Producers ask (for their own products); officers of the product's place decide; the
    # national office and the admin decide anywhere. Councils have nothing to do with it.
    scope = ScopePaths(
        province="product__province",
        commune="product__commune",
        owner="product__producer",
        policy={
            ADMIN: DECIDE,
            CENTRAL: DECIDE,
            PROVINCE: DECIDE,
            COMMUNE: DECIDE,
            COUNCIL: frozenset(),
            PRODUCER: frozenset({VIEW, ADD}),
            VIEWER: frozenset({VIEW}),
        },
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("đề nghị thay đổi")
        verbose_name_plural = _("đề nghị thay đổi")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per product: a second one would race the first.
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status="pending"),
                name="registry_changerequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return str(_("Đề nghị thay đổi #%(pk)s") % {"pk": self.pk})

    def get_absolute_url(self) -> str:
        return reverse_pk("registry:change_request_detail", self.pk)

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeRequestStatus.PENDING

    @property
    def field_labels(self) -> str:
        return ", ".join(str(row["label"]) for row in self.rows(with_current=False))

    def rows(self, *, with_current: bool = True) -> list[dict[str, Any]]:
        """label, old, new (and the product's current value) of each requested field, in form order."""
        result = []
        for name in REQUESTABLE:
            if name not in self.changes:
                continue
            field = Product._meta.get_field(name)
            row = {"name": name, "label": field.verbose_name}
            if with_current:
                row["old"] = display_value(name, self.changes[name].get("old"))
                row["new"] = display_value(name, self.changes[name].get("new"))
                row["current"] = display_value(name, getattr(self.product, field.attname))
            result.append(row)
        return result


def display_value(name: str, value: Any) -> str:
    """A requested value as people read it (a unit's name, a product set's label)."""
    if value in (None, ""):
        return "—"
    if name == "unit":
        unit = Unit.objects.filter(pk=value).select_related("current_province").first()
        if unit is None:
            return str(value)
        province = unit.current_province.name if unit.current_province_id else ""
        return f"{unit.name}, {province}" if province else unit.name
    if name == "classification_set":
        return dict(classification_choices()).get(value, str(value))
    return str(value)
