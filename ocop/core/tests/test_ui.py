"""The UI shell: base layout, navigation, home page, error pages, CSP and vendored assets."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.views import defaults

from ocop.core import context_processors
from ocop.core.context_processors import NAV_ENTRIES, NavEntry, Navigation

ROOT = Path(settings.BASE_DIR).parent
STATIC = Path(settings.BASE_DIR) / "core" / "static"
MODULE_LABELS = [
    "Tổng quan",
    "Chủ thể",
    "Sản phẩm",
    "Đánh giá phân hạng",
    "Giấy chứng nhận",
    "Kiểm tra giám sát",
    "Xúc tiến thương mại",
    "Đào tạo",
    "Hỗ trợ",
    "Kế hoạch &amp; chỉ tiêu",
    "Báo cáo",
    "Đơn vị hành chính",
]


def resolves(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


class Elements(HTMLParser):
    """Every start tag with its attributes, plus the text inside <script> and <style>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.inline.append((*self._open, data))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[0] == tag:
            self._open = None

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_user(
        username="lan", password="mat-khau-dai-123", role="admin", full_name="Nguyễn Thị Lan"
    )


@pytest.fixture
def admin_client(client: Client, admin_user) -> Client:
    client.force_login(admin_user)
    return client


def test_home_shows_no_dashboard_without_login(client: Client, db) -> None:
    # `/` is the public home for a visitor (ocop.public.views.home); the dashboard needs a login.
    html = client.get(reverse("core:home")).content.decode()
    assert "Xin chào" not in html and "<title>Tổng quan · OCOP</title>" not in html


def test_home_renders_greeting_role_and_scope(admin_client: Client) -> None:
    response = admin_client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Tổng quan · OCOP</title>" in html
    assert "Xin chào, Nguyễn Thị Lan!" in html
    assert "Quản trị hệ thống" in html
    assert "Toàn quốc" in html
    # The page title is the heading; the dashboard's figures live in its own sections below.
    assert not re.search(r"<h1[^>]*>\s*\d", html)


def test_scope_label_of_a_commune_user(db, commune_ba_dinh) -> None:
    user = get_user_model()(username="xa", role="commune", scope_unit=commune_ba_dinh)
    label = context_processors.scope_label(user)
    assert label.startswith(commune_ba_dinh.name)
    assert commune_ba_dinh.current_province.name in label


def test_navigation_lists_every_module(admin_client: Client) -> None:
    html = admin_client.get(reverse("core:home")).content.decode()
    nav = html[html.index('<nav class="ocop-sidebar"') : html.index("</nav>")]
    # As the page writes them ("Kế hoạch &amp; chỉ tiêu").
    built = {escape(str(entry.label)) for entry in NAV_ENTRIES if resolves(entry.url_name)}
    for label in MODULE_LABELS:
        # Built modules are listed; modules without pages yet are not in the menu at all.
        assert (f"<span>{label}</span>" in nav) is (label in built), label
    assert "<span>Người dùng</span>" in nav  # admin role


def test_unbuilt_modules_are_not_in_the_menu(admin_client: Client) -> None:
    page = Elements(admin_client.get(reverse("core:home")).content.decode())
    for entry in NAV_ENTRIES:
        links = page.find("a", **{"data-nav": entry.key})
        if resolves(entry.url_name):
            (link,) = links
            assert link["href"] == reverse(entry.url_name) + entry.query
        else:
            assert links == [], entry.key


def test_a_module_without_pages_is_hidden(admin_client: Client, monkeypatch) -> None:
    entries = (
        NavEntry("home", "Tổng quan", "speedometer2", "core:home"),
        NavEntry("ghost", "Phân hệ ma", "question", "ghost:index"),
    )
    monkeypatch.setattr(context_processors, "NAV_ENTRIES", entries)
    html = admin_client.get(reverse("core:home")).content.decode()
    assert "Phân hệ ma" not in html and 'data-nav="ghost"' not in html
    home = Elements(html).find("a", **{"data-nav": "home"})[0]
    assert home["aria-current"] == "page"
    assert "active" in home["class"].split()
    assert 'data-upcoming="ghost"' not in html and 'data-quick-link="ghost"' not in html


def test_module_link_is_active_below_its_url(rf: RequestFactory, admin_user, monkeypatch) -> None:
    monkeypatch.setattr(
        context_processors, "resolve_url_name", lambda name: "/x/" if name == "geo:unit_list" else "/"
    )
    request = rf.get("/x/2025/")
    request.user = admin_user
    active = [item.key for item in Navigation(request).items if item.active]
    assert active == ["units"]


def test_longest_matching_module_wins(rf: RequestFactory, admin_user, monkeypatch) -> None:
    urls = {"registry:producer_list": "/registry/", "registry:product_list": "/registry/products/"}
    monkeypatch.setattr(context_processors, "resolve_url_name", lambda name: urls.get(name, "/"))
    request = rf.get("/registry/products/42/")
    request.user = admin_user
    assert [item.key for item in Navigation(request).items if item.active] == ["products"]


@pytest.mark.parametrize(
    ("role", "sees_users"),
    [("admin", True), ("province", True), ("commune", False), ("central", False), ("viewer", False)],
)
def test_users_entry_only_for_account_managers(rf: RequestFactory, role: str, sees_users: bool) -> None:
    user = get_user_model()(username="u", role=role)
    user.is_superuser = role == "admin"
    request = rf.get("/")
    request.user = user
    keys = [item.key for item in Navigation(request).items]
    assert ("users" in keys) is sees_users
    assert "units" in keys and "products" in keys


PRODUCER_MENU = ["home", "producers", "products", "change_requests", "evidence", "assessment", "certificates"]
OFFICER_MENU = [*PRODUCER_MENU, "oversight", "plans", "periodic_reports", "units"]


@pytest.mark.parametrize(
    ("role", "menu"),
    [
        ("central", OFFICER_MENU),
        ("province", [*OFFICER_MENU, "users"]),
        ("commune", OFFICER_MENU),
        ("viewer", OFFICER_MENU),
        # A producer: its own records, dossiers and certificates; no administration.
        ("producer", PRODUCER_MENU),
        # A council member: the dossiers and products it scores, and its own councils.
        ("council", ["home", "products", "assessment", "council"]),
    ],
)
def test_menu_lists_what_each_role_uses(db, client: Client, role: str, menu: list[str]) -> None:
    user = get_user_model().objects.create(username=f"menu-{role}", role=role)
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    sidebar = html[html.index('<nav class="ocop-sidebar"') : html.index("</nav>")]
    assert re.findall(r'data-nav="([a-z_]+)"', sidebar) == menu
    # Every entry links to a page the role may open (no "sắp có", no dead or forbidden module).
    assert "sắp có" not in html and "Đang xây dựng" not in html
    for href in re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', sidebar):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_council_menu_opens_the_members_own_councils(rf: RequestFactory) -> None:
    user = get_user_model()(username="hd", role="council")
    request = rf.get("/evaluation/evaluations/7/")
    request.user = user
    (council,) = [item for item in Navigation(request).items if item.key == "council"]
    assert council.url == reverse("evaluation:round_list") + "?seat=mine"
    assert council.active  # a scoring page belongs to "Hội đồng của tôi", not to the dossier list


def test_anonymous_gets_no_menu(rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert Navigation(request).items == []


def test_user_menu(admin_client: Client) -> None:
    html = admin_client.get(reverse("core:home")).content.decode()
    page = Elements(html)
    if resolves("accounts:logout"):
        (form,) = page.find("form", action=reverse("accounts:logout"))
        assert form["method"] == "post"
    else:
        assert "Đăng xuất" in html
    if resolves("accounts:password_change"):
        assert page.find("a", href=reverse("accounts:password_change"))
    assert "Đổi mật khẩu" in html


def test_language_switch_form(admin_client: Client) -> None:
    page = Elements(admin_client.get(reverse("core:home")).content.decode())
    (form,) = page.find("form", action=reverse("set_language"))
    assert form["method"] == "post"
    assert page.find("button", name="language", value="en", lang="en")
    assert page.find("input", name="next", value="/")
    assert page.find("input", name="csrfmiddlewaretoken")


def test_accessibility_landmarks(admin_client: Client) -> None:
    html = admin_client.get(reverse("core:home")).content.decode()
    page = Elements(html)
    assert page.find("html", lang="vi")
    skip = page.find("a", href="#main")
    assert skip and "visually-hidden-focusable" in skip[0]["class"]
    assert page.find("main", id="main")
    assert page.find("header") and page.find("footer")
    assert page.find("nav", **{"aria-label": "Phân hệ"})
    assert page.find("meta", name="viewport")
    # Every icon is decorative; every button has a name (text or aria-label).
    assert all(a.get("aria-hidden") == "true" for t, a in page.tags if t == "i")
    for match in re.finditer(r"<button([^>]*)>(.*?)</button>", html, re.S):
        attrs, inner = match.groups()
        text = re.sub(r"<[^>]+>", "", inner).strip()
        assert text or "aria-label=" in attrs, match.group(0)


def test_csp_header_on_every_page(admin_client: Client, client: Client) -> None:
    for response in (admin_client.get("/"), admin_client.get("/nowhere/"), client.get("/")):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_inline_code_without_nonce(admin_client: Client) -> None:
    response = admin_client.get("/")
    html = response.content.decode()
    page = Elements(html)
    scripts = page.find("script")
    assert scripts, "base.html loads its scripts"
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    for tag, attrs, text in page.inline:
        if tag == "script" and attrs.get("type") == "application/json":
            json.loads(text)  # a json_script data block (the dashboard's figures): data, never run
            continue
        assert nonce and attrs.get("nonce") == nonce.group(1), f"inline <{tag}> without the CSP nonce"
    for attrs in scripts:
        if attrs.get("type") == "application/json":
            continue
        assert attrs.get("src", "").startswith(settings.STATIC_URL) or attrs.get("nonce"), attrs
    # Style attributes and inline event handlers can't carry a nonce: none at all.
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag


def test_htmx_is_configured_for_the_csp_and_csrf(admin_client: Client) -> None:
    response = admin_client.get("/")
    page = Elements(response.content.decode())
    (meta,) = page.find("meta", name="htmx-config")
    config = json.loads(meta["content"])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    (body,) = page.find("body")
    token = json.loads(body["hx-headers"])["X-CSRFToken"]
    assert token and token == page.find("input", name="csrfmiddlewaretoken")[0]["value"]
    css = (STATIC / "core/css/ocop.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_scripts_and_styles_are_served_locally(admin_client: Client) -> None:
    page = Elements(admin_client.get("/").content.decode())
    scripts = [a["src"] for a in page.find("script") if a.get("type") != "application/json"]
    urls = scripts + [a["href"] for t, a in page.tags if t == "link"]
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url  # no CDN: offline intranets
        # In any app's static folder (the home page's map styles are ocop.reports').
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


def test_vendored_libraries_are_pinned_and_committed() -> None:
    package = json.loads((ROOT / "package.json").read_text())["dependencies"]
    versions = json.loads((STATIC / "vendor/VERSIONS.json").read_text())
    assert re.fullmatch(r"2\.0\.\d+", package["htmx.org"])  # npm's latest (4.x) breaks htmx 2 code
    assert re.fullmatch(r"5\.3\.\d+", package["bootstrap"])
    assert re.fullmatch(r"4\.\d+\.\d+", package["chart.js"])
    for name, version in package.items():
        assert versions[name] == version
    for path in [
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "bootstrap-icons/bootstrap-icons.min.css",
        "bootstrap-icons/fonts/bootstrap-icons.woff2",
        "htmx/htmx.min.js",
        "chartjs/chart.umd.min.js",
    ]:
        assert (STATIC / "vendor" / path).stat().st_size > 1000, path
    assert f'version:"{package["htmx.org"]}"' in (STATIC / "vendor/htmx/htmx.min.js").read_text()


def test_collectstatic_with_the_production_storage(tmp_path, settings, rf, admin_user) -> None:
    """Production's manifest storage post-processes our CSS (font URLs) and the vendored files.

    Its hashing half only: whitenoise's compression half is slow and can't fail on a missing file.
    """
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2" in manifest
    request = rf.get("/")
    request.user = admin_user
    html = render_to_string("reports/home.html", request=request)
    assert manifest["core/css/ocop.css"] in html
    assert manifest["vendor/htmx/htmx.min.js"] in html


def test_brand_colours_meet_wcag_aa() -> None:
    css = (STATIC / "core/css/ocop.css").read_text()
    colour = dict(re.findall(r"--(ocop-[a-z-]+):\s*(#[0-9a-fA-F]{6})", css))

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def ratio(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    white = "#ffffff"
    text_pairs = [
        (white, colour["ocop-green"]),  # top bar, active menu item, primary buttons
        (white, colour["ocop-green-dark"]),
        (colour["ocop-green"], white),  # links
        (colour["ocop-green-darker"], colour["ocop-green-subtle"]),  # hovered menu item
        (colour["ocop-green-darker"], colour["ocop-gold"]),  # brand mark
        (colour["ocop-sidebar-text"], colour["ocop-sidebar-bg"]),
        (colour["ocop-muted"], colour["ocop-sidebar-bg"]),
        (colour["ocop-muted"], white),
    ]
    for fg, bg in text_pairs:
        assert ratio(fg, bg) >= 4.5, (fg, bg, ratio(fg, bg))
    assert ratio(colour["ocop-focus"], white) >= 3  # focus outline (non-text)


def test_404_page(admin_client: Client) -> None:
    response = admin_client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'href="#main"' in html  # the full shell, with its menu
    assert 'data-nav="home"' in html


@pytest.mark.parametrize(
    ("view", "status", "text"),
    [
        (lambda r: defaults.bad_request(r, Exception()), 400, "Yêu cầu không hợp lệ"),
        (lambda r: defaults.permission_denied(r, PermissionDenied()), 403, "Không có quyền truy cập"),
        (lambda r: defaults.server_error(r), 500, "Lỗi hệ thống"),
    ],
)
def test_error_pages_in_vietnamese(rf: RequestFactory, admin_user, view, status: int, text: str) -> None:
    request = rf.get("/")
    request.user = admin_user
    response = view(request)
    assert response.status_code == status
    html = response.content.decode()
    assert text in html
    assert '<html lang="vi">' in html
    assert "style=" not in html and "<script>" not in html


def test_429_page(rf: RequestFactory, admin_user) -> None:
    request = rf.get("/")
    request.user = admin_user
    html = render_to_string("429.html", request=request)
    assert "Quá nhiều yêu cầu" in html and "429" in html


def test_csrf_failure_page(admin_user) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
