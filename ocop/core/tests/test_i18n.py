"""Vietnamese by default, English on request; the English catalogue is complete and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> list[dict[str, str]]:
    """Unescaped msgid/msgstr (plural msgstr[n] too) and flags of a .po file, header excluded."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif match := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


@pytest.fixture
def user_client(client: Client, db) -> Client:
    user = get_user_model().objects.create_user(username="lan", password="mat-khau-dai-123", role="admin")
    client.force_login(user)
    return client


def test_vietnamese_by_default(user_client: Client) -> None:
    html = user_client.get(reverse("core:home")).content.decode()
    assert '<html lang="vi">' in html
    for text in ["Tổng quan", "Chủ thể", "Đánh giá phân hạng", "Đơn vị hành chính", "Toàn quốc"]:
        assert text in html
    assert 'lang="en"' in html and "English" in html  # the switch offers English


def test_switching_to_english_and_back(user_client: Client) -> None:
    response = user_client.post(reverse("set_language"), {"language": "en", "next": reverse("core:home")})
    assert response.status_code == 302
    assert response.url == reverse("core:home")

    html = user_client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in html
    for text in [
        "<title>Overview · OCOP</title>",
        "Overview",
        "Producers",
        "Assessment &amp; rating",
        "Administrative units",
        "Users",
        "System administrator",
        "Nationwide",
        "Skip to main content",
        "Sign out",
        "Change password",
    ]:
        assert text in html, text
    nav = html[html.index('<nav class="ocop-sidebar"') : html.index("</nav>")]
    assert not re.search(r"[ảạấầẩẫậắằẳẵặđẻẽếềểễệỉịỏọốồổỗộớờởỡợủụứừửữựỳỷỹỵ]", nav, re.I), (
        "Vietnamese left in menu"
    )
    assert 'lang="vi"' in html and "Tiếng Việt" in html  # and the switch offers Vietnamese back

    user_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in user_client.get(reverse("core:home")).content.decode()


def test_english_dates_stay_day_first(user_client: Client) -> None:
    from datetime import date

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("en"):
        assert Template("{{ d }}").render(Context({"d": date(2025, 12, 25)})) == "25/12/2025"


def test_every_message_has_an_english_translation() -> None:
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 50
    untranslated = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    assert untranslated == [], "run makemessages and translate (see docs in ocop/core/tests/test_i18n.py)"


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The .mo is committed (msgfmt may be missing on a fresh machine): it must be up to date."""
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in po_entries(LOCALE / "django.po"):
        msgid, msgstr = entry["msgid"], entry.get("msgstr") or entry.get("msgstr[0]", "")
        if "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], msgid) == msgstr, msgid
        elif "msgid_plural" in entry:
            assert catalogue.ngettext(msgid, entry["msgid_plural"], 1) == msgstr, msgid
        else:
            assert catalogue.gettext(msgid) == msgstr, "compilemessages is out of date: " + msgid
