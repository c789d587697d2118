"""Users with one role and one scope unit (the country, a current province or a current commune)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    CENTRAL = "central", _("Cơ quan OCOP trung ương")
    PROVINCE = "province", _("Cơ quan OCOP cấp tỉnh")
    COMMUNE = "commune", _("Cán bộ cấp xã")
    COUNCIL = "council", _("Thành viên hội đồng")
    PRODUCER = "producer", _("Chủ thể OCOP")
    VIEWER = "viewer", _("Chỉ xem")


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    # None means the whole country (admin, central); otherwise a current-structure province or commune.
    scope_unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("đơn vị phạm vi"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users", limit_choices_to={"structure": "current"},
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
