"""What the workflow endpoints share (Art. 5–8; thin: fetch in scope, call the workflow step,
answer): the 422 for an id in the body that is not found in the caller's scope.
"""

from django.utils.translation import gettext as _
from ninja.errors import HttpError


def _not_found(field: str, what: str) -> HttpError:
    return HttpError(422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": f"{field}: {what}"})
