"""Record URLs by primary key without resolving the URLconf for every row of a list.

``reverse()`` costs tens of microseconds a call; a list links each row once or twice. The
pattern of a ``<int:pk>`` URL is reversed once per process (and URLconf, and script prefix) with
a stand-in number, and each row's URL is the number put in its place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 2_147_483_646


@lru_cache(maxsize=256)
def _parts(
    viewname: str, urlconf: str, prefix: str, stand_in: int | str = _STAND_IN
) -> tuple[str, str] | None:
    """The URL of ``viewname`` before and after its one argument (``prefix``: the cache key of
    the script prefix reverse() reads)."""
    url = reverse(viewname, args=[stand_in], urlconf=urlconf)
    pieces = url.split(str(stand_in))
    return (pieces[0], pieces[1]) if len(pieces) == 2 else None


def reverse_pk(viewname: str, pk: int) -> str:
    """``reverse(viewname, args=[pk])`` for an integer primary key."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _parts(viewname, urlconf, get_script_prefix()) if isinstance(pk, int) and pk >= 0 else None
    if parts is None:
        return reverse(viewname, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"


_STAND_IN_TEXT = "Z0ocopStandInZ0"
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")  # left as they are by reverse()'s quoting


def reverse_text(viewname: str, value: str) -> str:
    """``reverse(viewname, args=[value])`` for a ``<str:…>`` URL (e.g. a certificate's code); a
    value with characters reverse() would quote takes reverse() itself."""
    if not isinstance(value, str) or not _PLAIN.fullmatch(value):
        return reverse(viewname, args=[value])
    parts = _parts(viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), _STAND_IN_TEXT)
    if parts is None:
        return reverse(viewname, args=[value])
    return f"{parts[0]}{value}{parts[1]}"
