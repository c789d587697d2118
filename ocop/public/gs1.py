"""GS1 Digital Link: /01/<GTIN>[/10/<lot>] addresses and their RFC 9264 linkset.

A GTIN in the path may be written with 8, 12, 13 or 14 digits; it is read as GTIN-14 (left-padded
with zeros, as GS1 Digital Link does) and its mod-10 check digit must match. The linkset follows
the GS1-Conformant Resolver standard: one link context object per anchor, whose members are link
relation types (the GS1 Web Vocabulary IRIs) mapping to arrays of target objects.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.utils.translation import gettext as _

from ocop.registry import codes as registry_codes

LINKSET_TYPE = "application/linkset+json"
PIP = "https://gs1.org/voc/pip"
CERTIFICATION_INFO = "https://gs1.org/voc/certificationInfo"
DEFAULT_LINK = "https://gs1.org/voc/defaultLink"

# ?linkType= values naming the whole linkset, and the link types we answer, in every spelling
# GS1 uses (the compact "gs1:" form and the three namespace IRIs).
LINKSET_REQUESTS = frozenset({"all", "linkset"})
_NAMESPACES = ("gs1:", "https://gs1.org/voc/", "https://www.gs1.org/voc/", "https://ref.gs1.org/voc/")


def link_type(value: str) -> str | None:
    """ "pip", "certificationInfo" or "defaultLink" for any spelling of those link types, else None."""
    for namespace in _NAMESPACES:
        if value.startswith(namespace):
            name = value[len(namespace) :]
            return name if name in ("pip", "certificationInfo", "defaultLink") else None
    return None


class GtinError(ValueError):
    """A GTIN that cannot be (not digits, wrong length) or whose check digit does not match."""


def parse_gtin(text: str) -> str:
    """The GTIN-14 of ``text``; GtinError (translated message) when it is not a valid GTIN."""
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) in (8, 12, 13, 14)):
        raise GtinError(
            _("“%(gtin)s” không phải mã GTIN: mã GTIN gồm 8, 12, 13 hoặc 14 chữ số.") % {"gtin": text}
        )
    full = digits.zfill(14)
    expected = registry_codes.gtin_check_digit(full[:-1])
    if int(full[-1]) != expected:
        raise GtinError(
            _(
                "Mã GTIN %(gtin)s sai chữ số kiểm tra: chữ số cuối phải là %(expected)s, không phải "
                "%(found)s. Có thể mã đã bị in hoặc gõ nhầm."
            )
            % {"gtin": digits, "expected": expected, "found": full[-1]}
        )
    return registry_codes.validate_gtin(full)


# AI 10 (batch/lot): up to 20 characters of GS1's 82-character set (ISO 646 subset).
_LOT = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")


def valid_lot(lot: str) -> bool:
    return bool(_LOT.fullmatch(lot))


def anchor_path(gtin: str, lot: str | None = None) -> str:
    """The uncompressed Digital Link path: /01/<GTIN-14>[/10/<lot>] (lot percent-encoded)."""
    path = f"/01/{gtin}"
    return f"{path}/10/{quote(lot, safe='')}" if lot else path


def linkset(
    *,
    anchor: str,
    description: str,
    page_url: str,
    certificate_page_url: str | None,
    certificate_json_url: str | None,
    languages: list[str],
) -> dict:
    """The RFC 9264 JSON linkset (``application/linkset+json``) of one product."""
    page = {
        "href": page_url,
        "title": _("Thông tin sản phẩm OCOP"),
        "type": "text/html",
        "hreflang": languages,
    }
    context: dict = {"anchor": anchor, "description": description, PIP: [page]}
    if certificate_page_url:
        context[CERTIFICATION_INFO] = [
            {
                "href": certificate_page_url,
                "title": _("Kiểm tra giấy chứng nhận OCOP"),
                "type": "text/html",
                "hreflang": languages,
            },
            {
                "href": certificate_json_url,
                "title": _("Kiểm tra giấy chứng nhận OCOP (JSON)"),
                "type": "application/json",
            },
        ]
    context[DEFAULT_LINK] = [{"href": page_url, "title": _("Thông tin sản phẩm OCOP")}]
    return {"linkset": [context]}


def wants_linkset(accept: str) -> bool:
    """True when the Accept header asks for the linkset rather than a web page."""
    accept = (accept or "").lower()
    if LINKSET_TYPE in accept:
        return True
    return "application/json" in accept and "text/html" not in accept
