"""Registry: OCOP subjects (chủ thể, `Producer`) and their products (`Product`).

Both are `Located` (their unit may be a current or a former administrative unit; the current
province and commune are derived) and scoped by `ocop.core.scoping`: officers see what lies in
their area, a producer account only its own organisation (`owner`).

One module per concept: `producers` (the producer and its choices), `products` (the product, its
queryset, code counter and programme status), `images` (product photos), `imports` (the import
wizard's jobs), `change_requests` (a producer's request to change its product's identity, decided
by an officer), `common` (validators and the searchable base). Everything is imported here, so
``ocop.registry.models.Product`` (and the validators and callables the migrations name) keep their
import paths.
"""

from .change_requests import ChangeRequest, ChangeRequestStatus
from .common import (
    Searchable,
    normalize_gtin,
    normalize_household_id,
    normalize_tax_code,
    validate_gtin,
    validate_legacy_code,
    validate_tax_code,
)
from .images import ProductImage, _product_image_path
from .imports import ImportJob, ImportPhase, import_dir
from .producers import KINH, Ethnicity, Gender, LegalForm, Producer, ProducerStatus
from .products import (
    CURRENT_CLASSIFICATION_VERSION,
    IDENTITY,
    REQUESTABLE,
    STAGES,
    Product,
    ProductCodeCounter,
    ProductQuerySet,
    classification_choices,
    listing,
    programme_status_expression,
)

__all__ = [
    "CURRENT_CLASSIFICATION_VERSION",
    "IDENTITY",
    "KINH",
    "REQUESTABLE",
    "STAGES",
    "ChangeRequest",
    "ChangeRequestStatus",
    "Ethnicity",
    "Gender",
    "ImportJob",
    "ImportPhase",
    "LegalForm",
    "Producer",
    "ProducerStatus",
    "Product",
    "ProductCodeCounter",
    "ProductImage",
    "ProductQuerySet",
    "Searchable",
    "_product_image_path",  # named by migration 0003_product_image (upload_to)
    "classification_choices",
    "listing",
    "import_dir",
    "normalize_gtin",
    "normalize_household_id",
    "normalize_tax_code",
    "programme_status_expression",
    "validate_gtin",
    "validate_legacy_code",
    "validate_tax_code",
]
