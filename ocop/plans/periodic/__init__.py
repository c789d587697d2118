"""Periodic reports (báo cáo định kỳ): six-monthly and annual reports an office files.

- ``rules``: the periods and the arithmetic (plain Python);
- ``figures``: the figures frozen into a report (from ``ocop.reports.statistics`` and the plans'
  progress), and the national report's roll-up of the provinces' filed reports;
- ``steps``: making a report, refreshing its figures, writing its narrative, filing it;
- ``display``: what every format shows; ``workbook`` (XLSX) and ``pdf`` render it;
- ``units``: the units a user may report on; ``listing``: the list's table and filters.

``generate(report, user)`` and ``file(report, user)`` are the entry points other code uses (the
demo loader makes a filed six-month report with them).
"""

from .steps import create, file, filing_problems, generate, write_narrative

__all__ = ["create", "file", "filing_problems", "generate", "write_narrative"]
