"""Forms of the council pages: opening a round, seating members, putting dossiers before the council,
the conflict declaration, the score sheet (rendered from the criteria data), the agreed sheet and
the recognition decision; and the dossier forms (Mẫu 01, Mẫu 02 with self-scores, evidence, Mẫu 03).

Forms only collect and check input; every step is taken by ocop.evaluation.workflow. Querysets of
choices are restricted with ocop.core.scoping for the acting user, so a posted id outside the
user's scope is an invalid choice, never a way around the scope.

A package split by concept (docs/architecture.md, "Module size"): ``rounds`` (rounds, councils,
recognition), ``sheets`` (the conflict declaration, the score sheet and the agreed sheet),
``dossiers`` (Art. 6–7) and ``common``. Every name is re-exported here, so
``ocop.evaluation.forms.X`` keeps working.
"""

from .common import DATE_WIDGET, points_text
from .dossiers import (
    CONTROL,
    MEETS_CHOICES,
    RADIO,
    REQUIRED_ON_SUBMIT,
    SUMMARY_FIELDS,
    TEXT_MAX,
    TEXTAREA,
    CommuneAssessmentForm,
    DossierCreateForm,
    EvidenceAttachForm,
    RegistrationForm,
    ReturnForm,
    SelfAssessmentForm,
    add_errors,
    document_label,
    option_label,
    phone_validator,
    producer_documents,
    score_field_name,
    sheet_choices,
)
from .rounds import (
    DossierAddForm,
    MemberAddForm,
    RecognitionForm,
    RoundOpenForm,
    dossier_candidates,
    member_candidates,
)
from .sheets import ConsensusForm, DeclarationForm, SheetForm, field_name

__all__ = [
    "CONTROL",
    "CommuneAssessmentForm",
    "ConsensusForm",
    "DATE_WIDGET",
    "DeclarationForm",
    "DossierAddForm",
    "DossierCreateForm",
    "EvidenceAttachForm",
    "MEETS_CHOICES",
    "MemberAddForm",
    "RADIO",
    "REQUIRED_ON_SUBMIT",
    "RecognitionForm",
    "RegistrationForm",
    "ReturnForm",
    "RoundOpenForm",
    "SUMMARY_FIELDS",
    "SelfAssessmentForm",
    "SheetForm",
    "TEXTAREA",
    "TEXT_MAX",
    "add_errors",
    "document_label",
    "dossier_candidates",
    "field_name",
    "member_candidates",
    "option_label",
    "phone_validator",
    "points_text",
    "producer_documents",
    "score_field_name",
    "sheet_choices",
]
