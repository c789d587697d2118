"""Extension points of the registry: how apps above it add to products without the registry importing them.

The registry sits below documents, certification, evaluation and public (docs/architecture.md):
it never imports them. Where a product needs something they own, the registry declares what it
needs here and they register it from their ``AppConfig.ready()``.

``certificates`` — a product's star and programme status come from its certificates. The
certification app registers a `CertificateSource` that defines them, once, in SQL and in Python
(`ocop.certification.product_status`). Without one, a product has no star and shows its
recorded stage.

``product_tabs`` / ``producer_tabs`` / ``product_panels`` — the product page's extra tabs
(evidence, dossiers, certificates), the producer page's (evidence) and the product page's boxes
(the public page and QR codes). Each is rendered by its own app, with
its own scoped queries, only when shown.

``import_kinds`` — what the import wizard (/registry/import/<key>/) and ``ocop import`` accept:
the registry's producers and products, and the certification history.

    from ocop.registry import extensions
    extensions.certificates.register(MySource())
    extensions.product_tabs.register(extensions.Tab("certificates", label, count, render))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q, Value

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Product


class CertificateSource:
    """What the registry knows of a product's certificates: nothing, until an app registers a source.

    Expressions are evaluated on ``Product`` rows (``OuterRef("pk")`` is the product).
    """

    def current_star(self, today: dt.date | None) -> models.Expression:
        """SQL: the star of the product's valid certificate on ``today``, or NULL."""
        return Value(None, output_field=models.PositiveSmallIntegerField())

    def programme_status(self, today: dt.date | None) -> models.Expression:
        """SQL: the programme status (a ProductStatus value) on ``today``."""
        return F("status")

    def programme_status_on(self, product: Product, today: dt.date | None) -> str:
        """Python: the same as `programme_status` for one product."""
        return product.status

    def star_condition(self, star: int | None, today: dt.date | None, using: str = "default") -> Q:
        """Q on Product: `current_star` is ``star`` (None: no star), written for a filter of a
        queryset on the database ``using``."""
        return Q() if star is None else Q(pk__in=[])

    def programme_status_condition(self, status: str, today: dt.date | None, using: str = "default") -> Q:
        """Q on Product: `programme_status` is ``status``, written for a filter (as star_condition)."""
        return Q(status=status)

    def current_certificate(self, product: Product) -> Any:
        """The product's valid certificate today (highest star, latest issued), or None."""
        return None

    def issued_in_year(self, year: int) -> Q:
        """Q on Product: a certificate was issued to it in ``year`` (whatever its status today)."""
        return Q(pk__in=[])


class _Slot:
    """Holds the one registered source (the last registration wins; tests may swap it)."""

    def __init__(self, default: CertificateSource) -> None:
        self._default = default
        self._source = default

    def register(self, source: CertificateSource) -> None:
        self._source = source

    def reset(self) -> None:
        self._source = self._default

    def get(self) -> CertificateSource:
        return self._source


certificates = _Slot(CertificateSource())


@dataclass(frozen=True)
class Tab:
    """A tab of a product or producer page: its badge counts and its content, both for one user."""

    key: str  # ?tab=<key>
    label: Any  # a lazy translation
    count: Callable[[Any, Any], int]  # (object, user) -> the badge, when the tab is not shown
    # (request, object) -> (HTML of the tab, its badge): the shown tab counts what it lists.
    render: Callable[[HttpRequest, Any], tuple[str, int]]
    order: int = 100


ProductTab = Tab


@dataclass(frozen=True)
class ProductPanel:
    """A box on the product page's first tab, below the details."""

    key: str
    render: Callable[[HttpRequest, Product], str]
    order: int = 100


class _Registry[T]:
    def __init__(self) -> None:
        self._items: dict[str, T] = {}

    def register(self, item: T) -> None:
        self._items[item.key] = item  # type: ignore[attr-defined]

    def all(self) -> list[T]:
        return sorted(self._items.values(), key=lambda item: (item.order, item.key))  # type: ignore[attr-defined]

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.all())  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ImportKind:
    """A kind of spreadsheet import offered at /registry/import/<key>/ (template, preview, confirm)."""

    key: str
    model: type[models.Model]  # who may import: the roles that may add it
    label: Any  # lazy text: the plural noun shown on the pages
    list_url: str  # URL name of the list the import fills
    spec: Any  # ocop.core.tabular.Spec: the columns
    # import_file(file, filename, user, *, dry_run=False, progress=None) -> core.tabular.ImportResult
    run: Callable[..., Any]
    # write_template(stream): the empty spreadsheet with the kind's columns

    template: Callable[[Any], None]
    order: int = 100
    # export(queryset, stream, fmt): the records in the same columns (`ocop export <key>`), or None
    export: Callable[..., None] | None = None


product_tabs: _Registry[Tab] = _Registry()
producer_tabs: _Registry[Tab] = _Registry()
product_panels: _Registry[ProductPanel] = _Registry()
import_kinds: _Registry[ImportKind] = _Registry()
