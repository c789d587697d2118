"""Post-recognition oversight (kiểm tra, giám sát — QĐ 26/2026/QĐ-TTg Art. 9 and 10.1.b).

- ``plans``: inspection plans (periodic, ad hoc, the Ministry's review of a province's evaluation
  work) and the inspections planned in them;
- ``inspections``: one visit to a producer: the products inspected with their outcome, the
  checklist (findings) generated from the evaluated dossier and the mark items of Art. 9.3.b,
  the photos and documents taken on the spot;
- ``reports``: consumers' reports from the public pages, with their receipt code;
- ``signals``: risk signals computed from the public scan counters.
"""

from .inspections import (
    Answer,
    Attachment,
    Finding,
    FindingKind,
    InspectedProduct,
    Inspection,
    InspectionStatus,
    Outcome,
)
from .plans import InspectionPlan, PlanKind, PlanLevel, PlanStatus
from .reports import ConsumerReport, ReportKind, ReportStatus
from .signals import ScanSignal, SignalRule, SignalStatus

__all__ = [
    "Answer",
    "Attachment",
    "ConsumerReport",
    "Finding",
    "FindingKind",
    "InspectedProduct",
    "Inspection",
    "InspectionPlan",
    "InspectionStatus",
    "Outcome",
    "PlanKind",
    "PlanLevel",
    "PlanStatus",
    "ReportKind",
    "ReportStatus",
    "ScanSignal",
    "SignalRule",
    "SignalStatus",
]
