from django.urls import URLPattern, path

from . import views

app_name = "evaluation"


def _dossier_step(route: str, action: str) -> URLPattern:
    """POST /evaluation/dossiers/<pk>/<route>/, named evaluation:dossier_<action>."""
    return path(
        f"dossiers/<int:pk>/{route}/", views.dossier_action, {"action": action}, name=f"dossier_{action}"
    )


urlpatterns: list = [
    # Dossiers (Art. 6–7): producers fill Mẫu 01/02, communes receive, assess (Mẫu 03), forward.
    path("dossiers/", views.DossierListView.as_view(), name="dossier_list"),
    path("dossiers/new/", views.dossier_add, name="dossier_add"),
    path("dossiers/<int:pk>/", views.DossierDetailView.as_view(), name="dossier_detail"),
    # The steps, all POST (each a function of ocop.evaluation.workflow): see views.DOSSIER_ACTIONS.
    _dossier_step("registration", "registration"),  # evaluation:dossier_registration
    _dossier_step("self-assessment", "self_assessment"),  # evaluation:dossier_self_assessment
    _dossier_step("evidence", "evidence"),  # evaluation:dossier_evidence
    path("dossiers/<int:pk>/self-preview/", views.dossier_self_preview, name="dossier_self_preview"),
    _dossier_step("submit", "submit"),  # evaluation:dossier_submit
    _dossier_step("receive", "receive"),  # evaluation:dossier_receive
    _dossier_step("commune-assessment", "commune"),  # evaluation:dossier_commune
    _dossier_step("forward", "forward"),  # evaluation:dossier_forward
    _dossier_step("return", "return"),  # evaluation:dossier_return
    # Rounds and councils (the provincial office, the Ministry).
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/members/", views.round_member_add, name="round_member_add"),
    path("rounds/<int:pk>/dossiers/", views.round_dossier_add, name="round_dossier_add"),
    path("rounds/<int:pk>/recognition/", views.round_recognise, name="round_recognise"),
    path("rounds/<int:pk>/minutes.pdf", views.round_minutes, name="round_minutes"),
    # One dossier before the council: the blind scoring page and its steps.
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("evaluations/<int:pk>/declaration/", views.evaluation_declare, name="evaluation_declare"),
    path("evaluations/<int:pk>/sheet/", views.evaluation_sheet, name="evaluation_sheet"),
    path("evaluations/<int:pk>/preview/", views.evaluation_preview, name="evaluation_preview"),
    path("evaluations/<int:pk>/consensus/", views.evaluation_consensus, name="evaluation_consensus"),
    path("evaluations/<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
    path(
        "evaluations/<int:pk>/propose-central/",
        views.evaluation_propose_central,
        name="evaluation_propose_central",
    ),
]
