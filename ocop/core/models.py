"""In-app notifications (thông báo): one row per recipient, written by any app through core.notifications.

The subject and message are stored as their Vietnamese msgids with the values to fill in, and are
translated when shown, so a notification reads in the language the recipient uses the platform in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import (
    ADMIN,
    CENTRAL,
    CHANGE,
    COMMUNE,
    COUNCIL,
    DELETE,
    PRODUCER,
    PROVINCE,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)

NOBODY: frozenset[str] = frozenset()


def _value(value: Any) -> Any:
    """A parameter as shown: {"t": msgid, "p": {...}} (notifications.phrase) is translated and filled."""
    if isinstance(value, dict) and isinstance(value.get("t"), str):
        return _fill(value["t"], value.get("p") or {})
    return value


def _fill(msgid: str, params: dict[str, Any]) -> str:
    text = gettext(msgid) if msgid else ""
    params = {key: _value(value) for key, value in params.items()} if params else params
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not break the page: fall back to the source.
        return msgid % params if params else msgid


class Notification(models.Model):
    """A message for one user (e.g. "the re-evaluation window of certificate X opens")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("loại thông báo"), max_length=40, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    message = models.TextField(_("nội dung"), blank=True)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True, editable=False)

    # Only the recipient reads and marks a notification; the system administrator may look and purge.
    scope = ScopePaths(
        user="user",
        self_actions=frozenset({VIEW, CHANGE}),
        policy={
            ADMIN: frozenset({VIEW, DELETE}),
            CENTRAL: NOBODY,
            PROVINCE: NOBODY,
            COMMUNE: NOBODY,
            COUNCIL: NOBODY,
            PRODUCER: NOBODY,
            VIEWER: NOBODY,
        },
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created"])

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The subject in the active language, values filled in."""
        return _fill(self.subject, self.params)

    @property
    def text(self) -> str:
        return _fill(self.message, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def mark_read(self) -> bool:
        """Marks it read (once); True when it changed."""
        if self.read_at is not None:
            return False
        self.read_at = timezone.now()
        self.save(update_fields=["read_at"])
        return True


class EmailOptOut(models.Model):
    """A kind of notification the user does not want by e-mail (they still see it in the app).

    No row means e-mail is on: the default for every kind, including kinds added later.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
    )
    kind = models.CharField(_("loại thông báo"), max_length=40)
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("không nhận thư theo loại thông báo")
        verbose_name_plural = _("không nhận thư theo loại thông báo")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="core_email_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"
