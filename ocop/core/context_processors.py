"""The shell's navigation: module menu, user menu and language switch, built once per request.

The menu lists the modules that exist (an entry whose URL name does not resolve is left out, never
shown as "coming soon") and, of those, only the ones the user's role works with: a producer sees
its own records and dossiers but no administration, a council member its councils and dossiers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .notifications import unread

# Roles that manage user accounts (see ocop.accounts.models.Role).
USER_ADMIN_ROLES = frozenset({"admin", "province"})
# Officers (and read-only viewers) who work with the registry and the administration pages.
OFFICER_ROLES = frozenset({"admin", "central", "province", "commune", "viewer"})


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    icon: str  # bootstrap-icons name, without the "bi-" prefix
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in user
    query: str = ""  # appended to the link (e.g. "?seat=mine"); the active match ignores it
    # Other path prefixes that belong to the module (e.g. rounds and council pages of the evaluation
    # module); the longest matching prefix still wins, so a deeper module keeps its own pages.
    also: tuple[str, ...] = ()


# The URL names are the contract with each module's app: name your index view accordingly.
NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("home", _("Tổng quan"), "speedometer2", "core:home"),
    NavEntry("producers", _("Chủ thể"), "people", "registry:producer_list", OFFICER_ROLES | {"producer"}),
    NavEntry(
        "products",
        _("Sản phẩm"),
        "box-seam",
        "registry:product_list",
        OFFICER_ROLES | {"producer", "council"},
    ),
    NavEntry(
        "change_requests",
        _("Đề nghị thay đổi"),
        "pencil-square",
        "registry:change_request_list",
        OFFICER_ROLES | {"producer"},
    ),
    NavEntry(
        "evidence",
        _("Minh chứng sắp hết hạn"),
        "hourglass-split",
        "documents:expiring",
        OFFICER_ROLES | {"producer"},
    ),
    NavEntry(
        "assessment", _("Đánh giá phân hạng"), "star-half", "evaluation:dossier_list", also=("/evaluation/",)
    ),
    # A council member's councils (rounds where they hold a seat) and the sessions under them.
    NavEntry(
        "council",
        _("Hội đồng của tôi"),
        "people-fill",
        "evaluation:round_list",
        frozenset({"council"}),
        query="?seat=mine",
        also=("/evaluation/evaluations/",),
    ),
    NavEntry(
        "certificates",
        _("Giấy chứng nhận"),
        "patch-check",
        "certification:certificate_list",
        OFFICER_ROLES | {"producer"},
    ),
    # Post-recognition oversight (Art. 9): plans, inspections, warnings, reports, signals. Producers
    # reach their own inspections from their product's page, not from this menu.
    NavEntry(
        "oversight",
        _("Kiểm tra, giám sát"),
        "clipboard-check",
        "oversight:plan_list",
        OFFICER_ROLES,
        also=("/oversight/",),
    ),
    # Programme plans and their targets (kế hoạch, đề án), with live progress.
    NavEntry("plans", _("Kế hoạch & chỉ tiêu"), "bullseye", "plans:plan_list", OFFICER_ROLES),
    # Six-month and annual reports an office files (ocop.plans); viewers read their area's.
    NavEntry(
        "periodic_reports", _("Báo cáo định kỳ"), "file-earmark-bar-graph", "plans:report_list", OFFICER_ROLES
    ),
    NavEntry("units", _("Đơn vị hành chính"), "geo-alt", "geo:unit_list", OFFICER_ROLES),
    NavEntry("users", _("Người dùng"), "person-gear", "accounts:user_list", USER_ADMIN_ROLES),
)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    icon: str
    url: str
    active: bool = False


def resolve_url_name(name: str) -> str | None:
    """reverse(name), or None while the module behind the name has not been built."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@lru_cache(maxsize=64)
def _menu_urls(
    entries: tuple[NavEntry, ...], resolve: Callable[[str], str | None], urlconf: str, prefix: str
) -> tuple[str | None, ...]:
    """The URL of each entry (None: module not built), once per URLconf and script prefix."""
    return tuple(resolve(entry.url_name) for entry in entries)


@lru_cache(maxsize=512)
def _menu_html(items: tuple[tuple[str, str, str, str, bool], ...], section: str) -> SafeString:
    """The sidebar's <ul> of ``items`` ((key, label, icon, url, active), labels already translated)."""
    parts = ['<ul class="nav flex-column ocop-nav">']
    for key, label, icon, url, active in items:
        if key == "units":
            parts.append(f'<li class="ocop-nav-section" aria-hidden="true">{escape(section)}</li>')
        current = ' aria-current="page"' if active else ""
        parts.append(
            f'<li class="nav-item"><a class="nav-link{" active" if active else ""}" href="{escape(url)}"'
            f' data-nav="{escape(key)}"{current}><i class="bi bi-{escape(icon)}" aria-hidden="true"></i>'
            f" <span>{escape(label)}</span></a></li>"
        )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped)


def user_can_see(user, entry: NavEntry) -> bool:
    if not user.is_authenticated:
        return False
    return entry.roles is None or user.is_superuser or getattr(user, "role", None) in entry.roles


def scope_label(user) -> str:
    """The user's scope unit for display: 'Phường Ba Đình, Thành phố Hà Nội', or 'Toàn quốc'."""
    unit = getattr(user, "scope_unit", None)
    if unit is None:
        return str(_("Toàn quốc"))
    province = getattr(unit, "current_province", None)
    if province is not None and province.pk != unit.pk:
        return f"{unit}, {province}"
    return str(unit)


class Navigation:
    """Everything base.html needs about menus; attributes are computed on first use."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def items(self) -> list[NavItem]:
        if self.user is None or not self.user.is_authenticated:
            return []
        path = self.request.path
        # A module whose pages do not exist yet is left out of the menu altogether.
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        urls = _menu_urls(NAV_ENTRIES, resolve_url_name, urlconf, get_script_prefix())
        resolved = [
            (entry, url)
            for entry, url in zip(NAV_ENTRIES, urls, strict=True)
            if url is not None and user_can_see(self.user, entry)
        ]
        # The entry whose URL is the longest prefix of the path is active (so /registry/products/
        # marks Sản phẩm, not a Chủ thể list at /registry/); home ("/") only on itself.
        matches = [
            (prefix, entry.key)
            for entry, url in resolved
            if url
            for prefix in (url, *entry.also)
            if (path == prefix if prefix == "/" else path.startswith(prefix))
        ]
        active = max(matches, key=lambda match: len(match[0]), default=(None, None))[1]
        return [
            NavItem(entry.key, entry.label, entry.icon, url + entry.query, active=entry.key == active)
            for entry, url in resolved
        ]

    @cached_property
    def menu_html(self) -> SafeString:
        """The sidebar's menu, written once per role, language and active module."""
        items = tuple((item.key, str(item.label), item.icon, item.url, item.active) for item in self.items)
        return _menu_html(items, gettext("Quản trị"))

    @cached_property
    def modules(self) -> list[NavItem]:
        """The menu without the home page (for the home page's quick links)."""
        return [item for item in self.items if item.key != "home"]

    @cached_property
    def available(self) -> list[NavItem]:
        """The quick links of the home page (every module of the menu exists)."""
        return self.modules

    @cached_property
    def other_languages(self) -> list[tuple[str, str]]:
        """(code, name) of the languages to switch to, each named in itself as in settings.LANGUAGES.

        Not Django's language info: its `name_local` for vi is not NFC-normalised, and
        get_available_languages would translate "English" into "Tiếng Anh".
        """
        current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return [(code, str(name)) for code, name in settings.LANGUAGES if code != current]

    @cached_property
    def home_url(self) -> str:
        return reverse("core:home")

    @cached_property
    def login_url(self) -> str | None:
        return resolve_url_name("accounts:login")

    @cached_property
    def logout_url(self) -> str | None:
        return resolve_url_name("accounts:logout")

    @cached_property
    def password_change_url(self) -> str | None:
        return resolve_url_name("accounts:password_change")

    @cached_property
    def notifications_url(self) -> str | None:
        return resolve_url_name("core:notifications")

    @cached_property
    def unread_notifications(self) -> int:
        """The top bar's badge: one COUNT query, at most once per request (and only if shown)."""
        return unread(self.user).count() if self.user is not None else 0

    @cached_property
    def user_name(self) -> str:
        if self.user is None or not self.user.is_authenticated:
            return ""
        return self.user.get_full_name().strip() or self.user.get_username()

    @cached_property
    def user_role(self) -> str:
        if self.user is None or not self.user.is_authenticated:
            return ""
        display = getattr(self.user, "get_role_display", None)
        return str(display()) if display else ""

    @cached_property
    def user_scope(self) -> str:
        if self.user is None or not self.user.is_authenticated:
            return ""
        return scope_label(self.user)


def navigation(request: HttpRequest) -> dict:
    """Adds `nav` (a Navigation, built lazily so pages that don't show menus pay nothing)."""
    return {"nav": SimpleLazyObject(lambda: Navigation(request))}
