"""Evaluation API: /api/v1/certificates/ (and, later, rounds, dossiers, scores)."""

from ninja import Router

certificates_router = Router(tags=["certificates"])
