"""What follows an inspection's conclusion (warnings, revocation proposals, removal, notices).

``after_conclusion`` is called by ``steps.conclude`` inside its transaction.
"""

from __future__ import annotations

from typing import Any


def after_conclusion(user: Any, inspection: Any) -> None:
    """Act on the outcomes of a concluded inspection (filled in by the consequences part)."""
