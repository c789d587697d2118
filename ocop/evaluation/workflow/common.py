"""The step checks every workflow step uses (ocop.certification.steps, shared with revocation),
under the names the workflow always used: a rule that must hold, an object read fresh and
locked, a scoping check, the user's role, and whether the user is the office of a province.
"""

from __future__ import annotations

from ocop.certification import steps

# The shared step checks (ocop.certification.steps), under the names this module always used.
_require = steps.require
_fresh = steps.fresh
_allowed = steps.allowed
_role = steps.role
_is_office = steps.is_office
