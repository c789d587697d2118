import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ocop.core.tables import Table

from .models import Unit


class UnitTable(Table):
    code = tables.Column(verbose_name=_("Mã"))
    name = tables.Column(verbose_name=_("Tên"), linkify=True, order_by=("sort_key", "code"))
    division_type = tables.Column(verbose_name=_("Loại đơn vị"))
    structure = tables.Column(verbose_name=_("Cấu trúc"))
    parent = tables.Column(
        verbose_name=_("Đơn vị cấp trên"), linkify=True, order_by=("parent__sort_key",), default="—"
    )
    current_province = tables.Column(
        verbose_name=_("Tỉnh/thành phố hiện hành"), linkify=True, order_by=("current_province__sort_key",)
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "division_type", "structure", "parent", "current_province"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("Không tìm thấy đơn vị hành chính nào.")
