"""Art. 12.3 of QĐ 26/2026/QĐ-TTg for filings made before the extension was recorded: a certificate
whose re-evaluation dossier was filed in its window (Art. 7.6.a; or, for a window that had closed
before 22/05/2026, before its expiry) stays valid after its expiry until the result, at most 180
days. Only ``Certificate.extended_until`` is written (it was empty); nothing else changes, and the
historical record gets one entry per certificate changed.

The rule's numbers are frozen here as they were when this migration was written (a migration
must not follow later edits of ocop/certification/data/procedures.yaml).
"""

import datetime as dt

from django.db import migrations

EFFECTIVE_FROM = dt.date(2026, 5, 22)
OPENS_DAYS, CLOSES_DAYS, EXTENSION_DAYS = 180, 120, 180
NOT_FILED = ("draft", "withdrawn")


def _end(certificate, filed_on, result_on):
    if filed_on < EFFECTIVE_FROM or filed_on > certificate.expiry:
        return None
    opens = certificate.expiry - dt.timedelta(days=OPENS_DAYS)
    closes = certificate.expiry - dt.timedelta(days=CLOSES_DAYS)
    in_window = opens <= filed_on <= closes
    transitional = filed_on > closes and closes < EFFECTIVE_FROM
    if not (in_window or transitional):
        return None
    end = certificate.expiry + dt.timedelta(days=EXTENSION_DAYS)
    if result_on is not None:
        end = min(end, result_on - dt.timedelta(days=1))
    return end if end > certificate.expiry else None


def backfill(apps, schema_editor):
    Dossier = apps.get_model("evaluation", "Dossier")
    Certificate = apps.get_model("certification", "Certificate")
    HistoricalCertificate = apps.get_model("certification", "HistoricalCertificate")
    dossiers = (
        Dossier.objects.filter(kind="reevaluation", previous_certificate__isnull=False, submitted_on__isnull=False)
        .exclude(status__in=NOT_FILED)
        .select_related("previous_certificate")
        .order_by("pk")
    )
    for dossier in dossiers:
        certificate = dossier.previous_certificate
        if certificate.extended_until is not None:
            continue
        result_on = None
        if dossier.status == "recognised":
            issued = Certificate.objects.filter(evaluation__dossier=dossier).order_by("issue_date").first()
            result_on = issued.issue_date if issued else None
        elif dossier.status == "not_recognised":
            closed = dossier.evaluations.filter(closed_at__isnull=False).order_by("-closed_at").first()
            result_on = closed.closed_at.date() if closed else None
        end = _end(certificate, dossier.submitted_on, result_on)
        if end is None:
            continue
        Certificate.objects.filter(pk=certificate.pk).update(extended_until=end)
        certificate.refresh_from_db()
        values = {
            field.attname: getattr(certificate, field.attname)
            for field in Certificate._meta.concrete_fields
            if field.attname not in ("created", "updated")
        }
        HistoricalCertificate.objects.create(
            **values,
            history_date=dt.datetime.now(dt.UTC),
            history_type="~",
            history_change_reason="Gia hạn theo khoản 3 Điều 12 (bổ sung khi nâng cấp)",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_certificates_to_certification"),
        ("certification", "0004_certificate_extended_until"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
