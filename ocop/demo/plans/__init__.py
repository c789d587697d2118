"""The demo's years of history and its programme plans (issue 14): what the statistics as of a date,
the plans and their targets have to show. Called from ocop.demo.data's sections.

- History (``history.load_history``): Hà Nội and Hải Phòng (with former Hải Dương, merged into it on
  01/07/2025), producers of every kind and their certificates issued from 2019 to 2026 by dated
  recognition decisions of the authority of the time: the province for 3★ and 4★, the former
  districts for 3★ under QĐ 148 (24/02/2023–30/06/2025), the Ministry for 5★ (Bộ Nông nghiệp và
  Phát triển nông thôn, then Bộ Nông nghiệp và Môi trường). Each certificate is valid 36 months; a
  re-evaluation or an upgrade issued before it expires supersedes it (same star or higher); some
  lapse without one, one is recognised again only after it had lapsed, one is revoked (through
  ``ocop.certification.revocation``, as the province office would). A few 4★ are "tiềm năng 5 sao"
  and two of them later became 5★ at the Ministry. Hà Nội's dashboard as of 31/12/2022 shows 3★, 4★,
  4★ tiềm năng 5 sao and 5★ products; about two producers in three are cooperatives or enterprises.
- Plans (``targets.load_plans``): Hà Nội's 2021–2025 plan (Kế hoạch 145/KH-UBND, 24/05/2022) and a
  2026–2030 plan, Hải Phòng's 2021–2025 programme (QĐ 674/QĐ-UBND, 09/03/2021, 165 billion đồng),
  the national 2021–2025 programme (QĐ 919/QĐ-TTg) and a 2026–2030 plan of the Ministry, each with
  targets on the indicator codes of ``ocop.plans`` scaled down to the demo, and a few manual values.

Dates are fixed (history must read the same whenever the demo is loaded); anything dated after the
day of loading is skipped, since no decision may be dated in the future. Run again, it finds its
producers by tax code, skips products that already have certificates and plans that exist (someone
may have edited their targets on purpose), and adds nothing.
"""

from .history import HISTORY, HISTORY_PRODUCERS, load_history
from .targets import DEMO_MANUAL_VALUES, DEMO_PLANS, load_plans

__all__ = ["DEMO_MANUAL_VALUES", "DEMO_PLANS", "HISTORY", "HISTORY_PRODUCERS", "load_history", "load_plans"]
