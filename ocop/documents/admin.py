"""Evidence documents in the admin: scoped like the app; uploads go through the app's file checks."""

from django.contrib import admin

from ocop.core.admin import ScopedAdmin

from .models import EvidenceDocument


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(ScopedAdmin):
    list_display = ["title", "doc_type", "producer", "product", "number", "issue_date", "expiry_date"]
    list_filter = ["doc_type"]
    search_fields = ["title", "number", "issuer", "producer__name"]
    list_select_related = ["producer", "product"]
    raw_id_fields = ["producer", "product"]
    # Files are uploaded and replaced through the app's form, which sniffs their content.
    readonly_fields = [
        "file",
        "original_name",
        "size",
        "sha256",
        "content_type",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
