"""The admin shows evidence documents with the app's scoping and never takes raw uploads."""

from django.contrib import admin

from ocop.core.admin import ScopedAdmin
from ocop.documents.models import EvidenceDocument


def test_evidence_admin_is_scoped_and_read_only_for_files(rf, admin_user):
    model_admin = admin.site._registry[EvidenceDocument]
    assert isinstance(model_admin, ScopedAdmin)
    request = rf.get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert "file" in model_admin.readonly_fields
