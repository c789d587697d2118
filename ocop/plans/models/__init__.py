"""Programme plans with their targets, manual indicator values, and the periodic reports offices file."""

from .periodic import PeriodicReport, ReportKind, ReportStatus
from .plans import ManualValue, Plan, PlanLevel, Target

__all__ = ["ManualValue", "PeriodicReport", "Plan", "PlanLevel", "ReportKind", "ReportStatus", "Target"]
