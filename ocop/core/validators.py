"""The text rule of `core.text.is_clean` as Django sees it: one message, one form validator.

Every way text comes in applies it — HTML forms (`core.forms.CleanTextMixin`, a validator on every
text field), the API (`core.api.CleanTextParser`: 422 naming the field), addresses and query
strings (`core.errors.ErrorMiddleware`: 400) and imported cells (`core.tabular`: a row error).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .text import is_clean

CLEAN_TEXT_MESSAGE = gettext_lazy(
    "Không được chứa ký tự NUL (\\x00) hoặc ký tự Unicode hỏng (nửa cặp surrogate lẻ)."
)


def validate_clean_text(value: object) -> None:
    """Form and model validator: refuses text holding NUL or an unpaired surrogate."""
    if isinstance(value, str) and not is_clean(value):
        raise ValidationError(CLEAN_TEXT_MESSAGE, code="unclean_text")
