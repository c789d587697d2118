"""The API's paths, methods and operation ids are promises: clients generate code from them.

The list is the API as published before the certification app (issue 8); an endpoint may be
added, never renamed or dropped silently. Moving a view to another module or app must keep its id
(ocop.api.OcopAPI).
"""

from ocop.api import api

PUBLISHED = [
    ("GET", "/api/v1/auth/me", "ocop_accounts_api_me"),
    ("POST", "/api/v1/auth/token", "ocop_accounts_api_obtain_token"),
    ("GET", "/api/v1/certificates/", "ocop_evaluation_api_list_certificates"),
    ("GET", "/api/v1/certificates/{code}", "ocop_evaluation_api_get_certificate"),
    ("POST", "/api/v1/certificates/{code}/revocation", "ocop_evaluation_api_revoke"),
    ("GET", "/api/v1/criteria/", "ocop_evaluation_api_list_criteria_versions"),
    ("GET", "/api/v1/criteria/{version_id}", "ocop_evaluation_api_get_criteria_version"),
    ("GET", "/api/v1/criteria/{version_id}/sheets/", "ocop_evaluation_api_list_sheets"),
    ("GET", "/api/v1/criteria/{version_id}/sheets/{sheet}", "ocop_evaluation_api_get_sheet"),
    ("GET", "/api/v1/decisions/", "ocop_evaluation_api_list_decisions"),
    ("POST", "/api/v1/decisions/recognition", "ocop_evaluation_api_recognise"),
    ("GET", "/api/v1/decisions/{decision_id}", "ocop_evaluation_api_get_decision"),
    ("GET", "/api/v1/dossiers/", "ocop_evaluation_api_list_dossiers"),
    ("POST", "/api/v1/dossiers/", "ocop_evaluation_api_create_dossier"),
    ("GET", "/api/v1/dossiers/{dossier_id}", "ocop_evaluation_api_get_dossier"),
    ("PATCH", "/api/v1/dossiers/{dossier_id}", "ocop_evaluation_api_update_dossier"),
    ("PUT", "/api/v1/dossiers/{dossier_id}/commune-assessment", "ocop_evaluation_api_assess_dossier"),
    ("POST", "/api/v1/dossiers/{dossier_id}/evidence", "ocop_evaluation_api_attach_evidence"),
    ("POST", "/api/v1/dossiers/{dossier_id}/forward", "ocop_evaluation_api_forward_dossier"),
    ("POST", "/api/v1/dossiers/{dossier_id}/receive", "ocop_evaluation_api_receive_dossier"),
    ("POST", "/api/v1/dossiers/{dossier_id}/return", "ocop_evaluation_api_return_dossier"),
    ("POST", "/api/v1/dossiers/{dossier_id}/submit", "ocop_evaluation_api_submit_dossier"),
    ("GET", "/api/v1/evaluations/{evaluation_id}", "ocop_evaluation_api_get_evaluation"),
    ("POST", "/api/v1/evaluations/{evaluation_id}/close", "ocop_evaluation_api_close"),
    ("PUT", "/api/v1/evaluations/{evaluation_id}/consensus", "ocop_evaluation_api_record_consensus"),
    ("POST", "/api/v1/evaluations/{evaluation_id}/declaration", "ocop_evaluation_api_declare"),
    ("POST", "/api/v1/evaluations/{evaluation_id}/propose-central", "ocop_evaluation_api_propose_central"),
    ("PUT", "/api/v1/evaluations/{evaluation_id}/sheet", "ocop_evaluation_api_save_sheet"),
    ("GET", "/api/v1/evaluations/{evaluation_id}/sheets", "ocop_evaluation_api_list_score_sheets"),
    ("GET", "/api/v1/evidence/{document_id}/file", "ocop_documents_api_evidence_file"),
    ("GET", "/api/v1/notifications/", "ocop_core_api_list_notifications"),
    ("POST", "/api/v1/notifications/{notification_id}/read", "ocop_core_api_read_notification"),
    ("GET", "/api/v1/producers/", "ocop_registry_api_list_producers"),
    ("POST", "/api/v1/producers/", "ocop_registry_api_create_producer"),
    ("DELETE", "/api/v1/producers/{producer_id}", "ocop_registry_api_delete_producer"),
    ("GET", "/api/v1/producers/{producer_id}", "ocop_registry_api_get_producer"),
    ("PATCH", "/api/v1/producers/{producer_id}", "ocop_registry_api_update_producer"),
    ("PUT", "/api/v1/producers/{producer_id}", "ocop_registry_api_replace_producer"),
    ("GET", "/api/v1/producers/{producer_id}/evidence/", "ocop_documents_api_producer_evidence"),
    ("POST", "/api/v1/producers/{producer_id}/evidence/", "ocop_documents_api_upload_producer_evidence"),
    ("GET", "/api/v1/products/", "ocop_registry_api_list_products"),
    ("POST", "/api/v1/products/", "ocop_registry_api_create_product"),
    ("DELETE", "/api/v1/products/{product_id}", "ocop_registry_api_delete_product"),
    ("GET", "/api/v1/products/{product_id}", "ocop_registry_api_get_product"),
    ("PATCH", "/api/v1/products/{product_id}", "ocop_registry_api_update_product"),
    ("PUT", "/api/v1/products/{product_id}", "ocop_registry_api_replace_product"),
    ("GET", "/api/v1/products/{product_id}/evidence/", "ocop_documents_api_product_evidence"),
    ("POST", "/api/v1/products/{product_id}/evidence/", "ocop_documents_api_upload_product_evidence"),
    ("GET", "/api/v1/public/certificates/{code}", "ocop_public_api_certificate_status"),
    ("GET", "/api/v1/rounds/", "ocop_evaluation_api_list_rounds"),
    ("POST", "/api/v1/rounds/", "ocop_evaluation_api_create_round"),
    ("GET", "/api/v1/rounds/{round_id}", "ocop_evaluation_api_get_round"),
    ("POST", "/api/v1/rounds/{round_id}/dossiers", "ocop_evaluation_api_add_dossier"),
    ("POST", "/api/v1/rounds/{round_id}/members", "ocop_evaluation_api_add_member"),
    ("GET", "/api/v1/units/", "ocop_geo_api_list_units"),
    ("GET", "/api/v1/units/{structure}/{code}", "ocop_geo_api_get_unit"),
    ("GET", "/api/v1/users/", "ocop_accounts_api_list_users"),
    ("GET", "/api/v1/users/{user_id}", "ocop_accounts_api_get_user"),
    # issue 9: change requests
    ("POST", "/api/v1/products/{product_id}/change-requests", "ocop_registry_api_request_product_change"),
    ("GET", "/api/v1/change-requests/", "ocop_registry_api_list_change_requests"),
    ("GET", "/api/v1/change-requests/{request_id}", "ocop_registry_api_get_change_request"),
    ("POST", "/api/v1/change-requests/{request_id}/approve", "ocop_registry_api_approve_change_request"),
    ("POST", "/api/v1/change-requests/{request_id}/reject", "ocop_registry_api_reject_change_request"),
    ("POST", "/api/v1/change-requests/{request_id}/withdraw", "ocop_registry_api_withdraw_change_request"),
]


def test_published_operations_keep_their_paths_and_ids() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    current = {
        (method.upper(), path, operation["operationId"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert sorted(set(PUBLISHED) - current) == []


def test_operation_ids_are_unique() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    ids = [op["operationId"] for operations in schema["paths"].values() for op in operations.values()]
    assert len(ids) == len(set(ids))
