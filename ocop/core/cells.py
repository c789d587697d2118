"""Spreadsheet cells that cannot attack their readers (CSV/formula injection, OWASP).

A spreadsheet opening a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, one starting with a tab or a carriage return) as a formula: a producer named
``=HYPERLINK("http://x","y")`` would become a live link, or worse, on an officer's computer.
:func:`neutralise` prefixes such a cell with a single quote ``'``, as OWASP recommends, so the
spreadsheet shows it as text; :func:`restore` is its exact inverse, applied by the importer, so
an export imports back with the original values (a phone number ``+84 912 345 678`` too).

The two are a bijection on all strings: a value that already starts with quotes followed by a
dangerous character (``'=x``) is prefixed as well (``''=x``), so :func:`restore` strips exactly
the quote :func:`neutralise` added — ``restore(neutralise(s)) == s`` for every ``s``. The rule is
"one quote before zero or more quotes then a dangerous character"; any other value, including
every value starting with a letter, a digit or a space, passes both unchanged.

Pure Python (no Django): CSV writers (``core.tabular``, the open data) and the reader share it.
"""

from __future__ import annotations

__all__ = ["DANGEROUS", "QUOTE", "escapes", "neutralise", "restore"]

#: The first characters a spreadsheet may read as the start of a formula (OWASP's list).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _dangerous(text: str) -> bool:
    """Whether text, after any leading quotes, starts with a dangerous character."""
    return text.lstrip(QUOTE).startswith(DANGEROUS)


def neutralise(text: str) -> str:
    """The cell as a spreadsheet must see it: ``'`` before a value it would run as a formula.

    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("+84 912 345 678"), neutralise("Mật ong"), neutralise("'=x")
    ("'+84 912 345 678", 'Mật ong', "''=x")
    """
    return QUOTE + text if _dangerous(text) else text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`: drops the one quote it added, leaves anything else.

    >>> restore("'+84 912 345 678"), restore("''=x"), restore("'quoted'"), restore("=1")
    ('+84 912 345 678', "'=x", "'quoted'", '=1')
    """
    return text[1:] if escapes(text) else text


def escapes(text: str) -> bool:
    """Whether :func:`restore` would change text (a quote before quotes and a dangerous character).

    A typed-text format (XLSX) needs no neutralising, but a value for which this is true must
    still be written neutralised, so that the importer's :func:`restore` gives it back unchanged.
    """
    return text.startswith(QUOTE) and _dangerous(text[1:])
