"""Match free-text addresses (former three-level or current two-level structure) to administrative units.

Public API (used by the registry spreadsheet importer):

    match_address(text, province_hint=None) -> MatchResult
    MatchResult.best       → the Candidate when unambiguous and confident, else None
    MatchResult.ambiguous  → several plausible candidates; never pick one silently
    MatchResult.message    → a Vietnamese explanation for an error row
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Unit


@dataclass
class Candidate:
    """One suggestion: the unit the text names (current or former) and where it is today."""

    unit: Unit
    current_commune: Unit | None
    current_province: Unit
    confidence: float  # 0..1
    explanation: str


@dataclass
class MatchResult:
    query: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        raise NotImplementedError

    @property
    def ambiguous(self) -> bool:
        raise NotImplementedError

    @property
    def message(self) -> str:
        raise NotImplementedError


def match_address(text: str, *, province_hint: Unit | None = None) -> MatchResult:
    """Suggest the units a free-text address names, best first; see MatchResult."""
    raise NotImplementedError
