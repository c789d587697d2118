"""Spreadsheet import and export of the registry: producers (chủ thể) and products.

Public API (used by the `ocop import`/`ocop export` commands and the web pages):

    PRODUCER_SPEC, PRODUCT_SPEC                       the columns (ocop.core.tabular.Spec)
    import_file(kind, file, filename, user, *, dry_run=False, progress=None) -> ImportResult
    export_queryset(kind, queryset, stream, fmt)      same columns the template reads (products: plus
                                                      the status from the certificates, not imported)
    write_template(kind, stream)                      .xlsx template with drop-downs and instructions
    Locator, Located, CellError, unit_label           finding units by code or free-text address
                                                      (the history import of certification uses them)

kind is "producers" or "products". A file with any invalid row imports nothing (one
transaction); ImportResult.errors then lists row/column/value/message in Vietnamese. With a
user, every row must pass `can(user, "add" | "change", obj)`; without one (CLI) the import runs
with national scope.

Rows are validated by the models themselves (full_clean: field validators for tax code, GTIN
and legacy code, choices, the models' clean()); this module only turns text into values, finds
the unit, the producer and existing records, and checks what a single row cannot see
(duplicates inside the file). Only the foreign-key existence queries of full_clean are skipped:
the objects come from the database already.

Identity: a producer row updates the producer whose id ("Mã chủ thể (ID)") or tax code it
carries; a product row updates the product whose OCOP code it carries. A product row with a code
that is not in the database yet keeps that code (so an export re-imports unchanged, and codes
issued elsewhere survive a migration); the commune's counter is moved past it.

The package, one module per concept: `specs` (the columns and the template), `common` (reading
cells and locating units), `importer` (the skeleton every kind's importer shares), `producers` and
`products` (the two importers), `importing` (`import_file`), `export`. Everything public is
imported here; a test that patches a module global patches it in the module that reads it (e.g.
``ocop.registry.io.products.BATCH_SIZE``).
"""

from .common import _CellError as CellError
from .common import _Located as Located
from .common import _Locator as Locator
from .common import _unit_label as unit_label
from .export import export_queryset, product_export_spec
from .importing import import_file
from .products import BATCH_SIZE, TEXT_FIELDS
from .specs import KINDS, PRODUCER_SPEC, PRODUCT_SPEC, write_template

__all__ = [
    "BATCH_SIZE",
    "CellError",
    "Located",
    "Locator",
    "KINDS",
    "PRODUCER_SPEC",
    "PRODUCT_SPEC",
    "TEXT_FIELDS",
    "export_queryset",
    "import_file",
    "product_export_spec",
    "unit_label",
    "write_template",
]
