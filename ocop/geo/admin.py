"""Admin for administrative units: read-mostly reference data, loaded by `ocop load-units`.

Units can only be renamed here (audited); rows come and go with the official lists, not by hand.
"""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ocop.core.text import fold

from .models import Unit, UnitSuccession


def folded_search(queryset: QuerySet, term: str, prefix: str = "") -> QuerySet:
    """Name without diacritics ("dak lak" finds "Đắk Lắk") or exact code."""
    folded = fold(term)
    if not folded:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}name_folded__contains": folded}) | Q(**{f"{prefix}code": term.strip()})
    )


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "division_type", "level", "structure", "parent", "current_province"]
    list_filter = ["structure", "level", "division_type"]
    list_select_related = ["parent", "current_province"]
    search_fields = ["name_folded", "code"]  # see get_search_results: the term is folded first
    search_help_text = _("Tìm theo tên (không cần dấu) hoặc mã.")
    readonly_fields = ["structure", "level", "code", "parent", "current_province", "succession"]
    fields = [
        "structure",
        "level",
        "code",
        "name",
        "division_type",
        "parent",
        "current_province",
        "succession",
    ]
    ordering = ["structure", "level", "sort_key"]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("kế thừa"))
    def succession(self, obj: Unit) -> str:
        # Read-only here: successions come from the conversion table (see UnitSuccessionAdmin).
        links = obj.predecessor_links() if obj.is_current else obj.successor_links()
        partial = _("một phần")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} {} {}",
                ((unit.code, unit.name, f"({partial})" if is_partial else "") for unit, is_partial in links),
            )
            or "—"
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return folded_search(queryset, search_term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["former", "former_level", "current", "partial", "source"]
    list_filter = ["source", "partial", "former__level"]
    list_select_related = ["former", "current"]
    search_fields = ["former__name_folded", "current__name_folded"]
    search_help_text = _("Tìm theo tên đơn vị cũ hoặc mới (không cần dấu) hoặc mã.")
    raw_id_fields = ["former", "current"]
    show_full_result_count = False

    @admin.display(description=_("cấp"), ordering="former__level")
    def former_level(self, obj: UnitSuccession) -> str:
        return obj.former.get_level_display()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        folded = fold(search_term)
        if not folded:
            return queryset, False
        code = search_term.strip()
        return queryset.filter(
            Q(former__name_folded__contains=folded)
            | Q(current__name_folded__contains=folded)
            | Q(former__code=code)
            | Q(current__code=code)
        ), False

    # Corrections are for superusers; the loader keeps rows whose source is not its own.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: UnitSuccession | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: UnitSuccession | None = None) -> bool:
        return request.user.is_superuser
