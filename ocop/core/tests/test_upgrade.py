"""Upgrade test: an installation at the BEFORE migration state upgrades with `ocop migrate` losing nothing.

The test migrates a new, empty database of the suite's kind to BEFORE (apps that did not exist then
stay unapplied), gives it what `migrate` then gave an installation (content types, permissions) and
a few administrative units, fills it through the *historical* models of that state, snapshots every
table, migrates to the latest leaf nodes and checks that every table, column and row is still there.
It is written against the schema of BEFORE only, so it keeps working when models move between apps
(e.g. evaluation → certification, tables kept with SeparateDatabaseAndState) or new apps appear.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps as latest_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

# The state of main before the certification app (issue 8): every app's leaf migration then.
BEFORE = [
    ("accounts", "0003_user_producer"),
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("axes", "0010_accessattemptexpiration"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("core", "0001_notifications"),
    ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ("documents", "0001_initial"),
    ("evaluation", "0003_certificate_reminder"),
    ("geo", "0003_name_folded_trigram"),
    ("public", "0001_scancount"),
    ("registry", "0004_product_where_to_buy"),
    ("sessions", "0001_initial"),
]

# Not compared row by row: `ocop migrate` may legitimately re-point content types (and their
# permissions) of moved models; these tables must only keep at least as many rows.
COUNT_ONLY = {"django_content_type", "auth_permission"}
IGNORED = {"django_migrations"}
# Derived columns a migration recomputes from the row's own data (registry 0010: the description
# joined the folded search text): not compared; their source columns are.
DERIVED = {("registry_product", "search_text")}

# A fixed "today" for status checks, so the test does not age.
AS_OF = dt.date(2026, 1, 1)
NOW = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 30))


def _before_targets(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """BEFORE, plus "unapplied" for every app added since (certification, demo, reports...)."""
    known = {app for app, _name in BEFORE}
    later = sorted({app for app, _name in executor.loader.graph.nodes} - known)
    return [*BEFORE, *((app, None) for app in later)]


def _migrate_to_leaves(connection: BaseDatabaseWrapper) -> None:
    executor = MigrationExecutor(connection)  # a fresh executor reads the applied migrations again
    executor.migrate(executor.loader.graph.leaf_nodes())


class _Only:
    """A database router sending every query to the upgraded installation's database."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model, **hints) -> str:
        return self.alias

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db, app_label, **hints) -> bool:
        return True


def _install(apps, alias: str) -> None:
    """What `migrate` gave an installation at BEFORE (its post_migrate: content types and permissions
    of that day's models) and what `ocop load-units` gave it, for the units the data uses."""
    for app_config in latest_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=alias, apps=apps)
        create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    Unit = latest_apps.get_model("geo", "Unit")
    province = Unit.objects.using(DEFAULT_DB_ALIAS).get(structure="current", level="province", code="82")
    commune = Unit.objects.using(DEFAULT_DB_ALIAS).filter(structure="current", level="commune")
    commune = commune.filter(current_province=province)
    OldUnit = apps.get_model("geo", "Unit")
    names = [field.attname for field in OldUnit._meta.concrete_fields]
    for unit in (province, commune.order_by("code").first()):
        OldUnit.objects.using(alias).create(**{name: getattr(unit, name) for name in names})


# --- snapshots ---


@dataclass
class Table:
    columns: tuple[str, ...]  # sorted by name: an SQLite table rebuild may reorder them
    key: tuple[str, ...]  # the primary key columns, to pair a changed row with its old self
    rows: list[tuple[str | None, ...]]  # every value as str (or None), rows sorted

    def keyed(self) -> dict[tuple, tuple]:
        at = [self.columns.index(column) for column in self.key]
        return {tuple(row[i] for i in at): row for row in self.rows} if at else {}


def _snapshot(connection: BaseDatabaseWrapper) -> dict[str, Table]:
    """Every table (but django_migrations) with all its rows."""
    quote = connection.ops.quote_name
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names(cursor)) - IGNORED):
            description = connection.introspection.get_table_description(cursor, table)
            columns = tuple(sorted(column.name for column in description))
            key = tuple(connection.introspection.get_primary_key_columns(cursor, table) or ())
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            rows = [tuple(None if v is None else str(v) for v in row) for row in cursor.fetchall()]
            rows.sort(key=lambda row: tuple((v is None, v or "") for v in row))
            snapshot[table] = Table(columns, key, rows)
    return snapshot


def _project(table: Table, columns: tuple[str, ...]) -> Table:
    """``table`` seen through ``columns`` only (a later migration may add columns: not a loss)."""
    at = [table.columns.index(column) for column in columns]
    rows = sorted(
        (tuple(row[i] for i in at) for row in table.rows),
        key=lambda r: tuple((v is None, v or "") for v in r),
    )
    return Table(columns, table.key, rows)


def _differences(before: dict[str, Table], after: dict[str, Table]) -> list[str]:
    """What the upgrade lost or changed, a line per table and a few example rows.

    Losses only: new tables, new columns and new rows (a later data migration) are allowed.
    """
    problems = []
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            problems.append(f"{name}: table is gone ({len(old.rows)} rows)")
        elif name in COUNT_ONLY:
            if len(new.rows) < len(old.rows):
                problems.append(f"{name}: {len(old.rows)} rows before, {len(new.rows)} after")
        elif lost := set(old.columns) - set(new.columns):
            problems.append(f"{name}: columns lost {sorted(lost)}")
        else:
            kept = tuple(column for column in old.columns if (name, column) not in DERIVED)
            old, seen = _project(old, kept), _project(new, kept)
            remaining = Counter(seen.rows)
            remaining.subtract(Counter(old.rows))
            if any(count < 0 for count in remaining.values()):
                problems += _row_differences(name, old, seen)
    return problems


def _row_differences(name: str, old: Table, new: Table, examples: int = 3) -> list[str]:
    old_keyed, new_keyed = old.keyed(), new.keyed()
    gone = [row for row in old.rows if row not in set(new.rows)]
    changed = [(row, new_keyed[k]) for k, row in old_keyed.items() if k in new_keyed and new_keyed[k] != row]
    missing = [row for row in gone if row not in {before for before, _after in changed}]
    added = len(new.rows) - len(old.rows) + len(missing)
    lines = [
        f"{name}: {len(old.rows)} rows before, {len(new.rows)} after: "
        f"{len(missing)} missing, {len(changed)} changed, {added} added"
    ]
    for before, after in changed[:examples]:
        diff = [f"{c} {a!r} → {b!r}" for c, a, b in zip(old.columns, before, after, strict=True) if a != b]
        key = ", ".join(f"{c}={before[old.columns.index(c)]}" for c in old.key)
        lines.append(f"    {key}: {'; '.join(diff)}")
    lines += [f"    missing: {dict(zip(old.columns, row, strict=True))}" for row in missing[:examples]]
    return lines


# --- data, through the historical models of BEFORE (no save() logic runs: every value is given) ---


def _fill(apps) -> dict:
    """Creates a realistic installation; returns what the latest-state checks need."""

    def model(label: str):
        return apps.get_model(*label.split("."))

    created = []  # every object, to give each a history row below

    def make(label: str, **values):
        obj = model(label).objects.create(**values)
        created.append(obj)
        return obj

    Unit = model("geo.Unit")
    province = Unit.objects.get(structure="current", level="province", code="82")  # Đồng Tháp
    commune = Unit.objects.filter(structure="current", level="commune", current_province=province)
    commune = commune.order_by("code").first()

    # Accounts: one per kind of scope (country, province, producer), plus the council.
    admin = make(
        "accounts.User", username="admin", password="!", role="admin", is_staff=True, is_superuser=True
    )
    officer = make("accounts.User", username="tinh82", password="!", role="province", scope_unit=province)
    council = [
        make(
            "accounts.User",
            username=f"hd{i}",
            password="!",
            role="council",
            scope_unit=province,
            full_name=f"Thành viên {i}",
        )
        for i in range(1, 5)
    ]
    make("accounts.ApiToken", user=officer, name="Báo cáo", key_hash="a" * 64, prefix="abcdefgh")

    # Registry: a producer with three products (codes as the commune counter gave them).
    producer = make(
        "registry.Producer",
        producer_type="HTX",
        name="HTX Nông nghiệp Mỹ Hiệp",
        tax_code="1400123456",
        representative_name="Nguyễn Văn An",
        representative_ethnicity="01",
        address="Ấp 3",
        unit=commune,
        province=province,
        commune=commune,
        search_text="htx nong nghiep my hiep",
        sort_key="htx nong nghiep my hiep",
    )
    owner = make(
        "accounts.User", username="htx", password="!", role="producer", scope_unit=commune, producer=producer
    )
    products = [
        make(
            "registry.Product",
            name=name,
            producer=producer,
            classification_set="B07",
            code=f"82-{commune.code}-{seq}-2022",
            code_sequence=seq,
            code_year=2022,
            status="registered",
            where_to_buy="Chợ Cao Lãnh\nShopee",
            unit=commune,
            province=province,
            commune=commune,
            search_text=name.lower(),
            sort_key=name.lower(),
        )
        for seq, name in enumerate(["Xoài cát Hòa Lộc sấy dẻo", "Mắm cá linh", "Bánh phồng tôm"], start=1)
    ]
    product_a, product_b, product_c = products
    make("registry.ProductCodeCounter", commune=commune, last=3)
    make(
        "registry.ProductImage",
        product=product_a,
        image=f"products/{product_a.pk}/0123456789abcdef.jpg",
        format="JPEG",
        width=800,
        height=600,
        caption="Bao bì",
    )

    # Decisions and certificates: valid, superseded, revoked, 4★ potential 5★.
    def decision(number: str, date: dt.date, kind: str, basis: str):
        return make(
            "evaluation.Decision",
            number=number,
            date=date,
            kind=kind,
            authority="UBND tỉnh Đồng Tháp",
            authority_level="province",
            signer="Trần Văn B",
            legal_basis=basis,
            province=province,
        )

    d2023 = decision("1234/QĐ-UBND", dt.date(2023, 6, 20), "recognition", "QD148")
    d2025 = decision("987/QĐ-UBND", dt.date(2025, 8, 15), "recognition", "QD148+1489")
    revocation = decision("1500/QĐ-UBND", dt.date(2025, 9, 1), "revocation", "QD148+1489")

    def certificate(product, decision, star: int, issued: dt.date, code: str, **extra):
        return make(
            "evaluation.Certificate",
            product=product,
            decision=decision,
            star=star,
            number=f"GCN-{code[-8:]}",
            issue_date=issued,
            expiry=issued.replace(year=issued.year + 3),  # 36 months
            legal_basis=decision.legal_basis,
            code=code,
            **extra,
        )

    superseded = certificate(product_a, d2023, 3, dt.date(2023, 6, 20), "OCOP-82-2023-000001-3")
    revoked = certificate(
        product_b,
        d2023,
        3,
        dt.date(2023, 6, 20),
        "OCOP-82-2023-000002-1",
        revoked_on=dt.date(2025, 9, 1),
        revocation_ground="b",
        revocation_decision=revocation,
    )
    valid = certificate(
        product_a, d2025, 4, dt.date(2025, 8, 15), "OCOP-82-2025-000001-6", potential_5_star=True
    )
    superseded.superseded_by = valid
    superseded.save(update_fields=["superseded_by"])
    make("evaluation.CertificateCodeCounter", province_code="82", year=2023, last=2)
    make("evaluation.CertificateCodeCounter", province_code="82", year=2025, last=2)

    # A closed round: council, a scored first dossier (its certificate below), conflict declarations.
    make("evaluation.ProvinceRules", province=province, spread_limit=Decimal("8.00"), quorum=Decimal("0.75"))
    round_ = make(
        "evaluation.Round",
        province=province,
        year=2025,
        number=1,
        name="Đợt 1/2025 — Đồng Tháp",
        proposals_by=dt.date(2025, 5, 31),
        closes_by=dt.date(2025, 8, 31),
        status="closed",
    )
    roles = ["chair", "member", "secretary", "member"]
    members = [
        make("evaluation.CouncilMember", round=round_, user=user, role=role, department="Sở Công Thương")
        for user, role in zip(council, roles, strict=True)
    ]
    dossier = make(
        "evaluation.Dossier",
        product=product_c,
        sheet="B07",
        status="recognised",
        registration={"ten_san_pham": product_c.name},
        self_scores={"1.1": "b"},
        submitted_on=dt.date(2025, 4, 10),
        received_on=dt.date(2025, 4, 11),
        commune_deadline=dt.date(2025, 4, 25),
        commune_assessment={"ket_luan": "đủ điều kiện"},
        forwarded_on=dt.date(2025, 4, 20),
        round=round_,
    )
    evaluation = make(
        "evaluation.Evaluation",
        dossier=dossier,
        round=round_,
        sheet="B07",
        criteria_version="26-2026",
        status="closed",
        consensus={"1.1": "b", "1.2": "a"},
        knockouts=[],
        closed_at=NOW,
        closed_by=council[0],
        total=Decimal("72.50"),
        total_exact="145/2",
        band=3,
        star=4,
        outcome="recognised",
        result={"total": "145/2", "star": 4},
    )
    for member, total in ((members[0], "73.00"), (members[1], "72.00")):
        make(
            "evaluation.ScoreSheet",
            evaluation=evaluation,
            member=member,
            answers={"1.1": "b", "1.2": "a"},
            total=Decimal(total),
            submitted_at=NOW,
        )
    make("evaluation.ConflictDeclaration", evaluation=evaluation, member=members[0], has_conflict=False)
    make(
        "evaluation.ConflictDeclaration",
        evaluation=evaluation,
        member=members[3],
        has_conflict=True,
        note="Người thân làm việc tại HTX",
    )
    from_round = certificate(
        product_c, d2025, 4, dt.date(2025, 8, 15), "OCOP-82-2025-000002-4", evaluation=evaluation
    )

    # A re-evaluation dossier for the valid certificate, with an evidence document on file.
    reevaluation = make(
        "evaluation.Dossier",
        product=product_a,
        kind="reevaluation",
        sheet="B07",
        status="draft",
        previous_certificate=valid,
    )
    document = make(
        "documents.EvidenceDocument",
        producer=producer,
        product=product_a,
        doc_type="food_safety",
        title="Giấy chứng nhận cơ sở đủ điều kiện ATTP",
        number="15/2024/ATTP",
        issue_date=dt.date(2024, 3, 1),
        expiry_date=dt.date(2027, 3, 1),
        file="evidence/0123456789abcdef.pdf",
        original_name="attp.pdf",
        size=123456,
        sha256="b" * 64,
        content_type="application/pdf",
        uploaded_by=owner,
    )
    make("evaluation.DossierEvidence", dossier=reevaluation, document=document, criterion="1.3")

    # Reminders already sent, notifications, public scan counters.
    for kind, due in (("window_open", dt.date(2025, 12, 20)), ("window_closing", dt.date(2026, 3, 20))):
        make("evaluation.CertificateReminder", certificate=superseded, kind=kind, due_on=due, recipients=2)
    make(
        "core.Notification",
        user=owner,
        kind="certificate_window_open",
        subject="Mở thời hạn nộp hồ sơ đánh giá lại",
        params={"code": superseded.code},
        url=f"/giay-chung-nhan/{superseded.code}/",
        read_at=NOW,
    )
    make("core.Notification", user=officer, kind="dossier_submitted", subject="Hồ sơ mới")
    for source, count in (("qr", 17), ("web", 5)):
        make(
            "public.ScanCount",
            day=dt.date(2025, 9, 30),
            kind="certificate",
            object_id=valid.pk,
            source=source,
            count=count,
            product=product_a,
        )
    make(
        "public.ScanCount",
        day=dt.date(2025, 9, 30),
        kind="product",
        object_id=product_a.pk,
        source="web",
        count=3,
        product=product_a,
    )

    # Django's own tables: an admin log entry and a session.
    product_type = model("contenttypes.ContentType").objects.get(app_label="registry", model="product")
    make(
        "admin.LogEntry",
        action_time=NOW,
        user=admin,
        content_type=product_type,
        object_id=str(product_a.pk),
        object_repr=product_a.name,
        action_flag=2,
        change_message='[{"changed": {"fields": ["where_to_buy"]}}]',
    )
    make(
        "sessions.Session",
        session_key="k" * 32,
        session_data="e30:1",
        expire_date=NOW + dt.timedelta(days=14),
    )

    # History: a creation row for every audited object, and a change row for the revocation and the
    # supersession, as django-simple-history would have written them.
    changes = {
        ("evaluation.Certificate", revoked.pk): "Thu hồi theo quyết định 1500/QĐ-UBND",
        ("evaluation.Certificate", superseded.pk): "Nâng hạng: thay bằng giấy chứng nhận 4 sao",
    }
    history = {}
    for obj in created:
        meta = obj._meta
        try:
            historical = apps.get_model(meta.app_label, f"Historical{meta.object_name}")
        except LookupError:  # not audited (counters, scan counts, Django's tables)
            continue
        copied = [f for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
        values = {f.attname: getattr(obj, f.attname) for f in copied if f.name != "request_id"}
        rows = [("+", dt.timedelta(0), "")]
        if (meta.label, obj.pk) in changes:
            rows.append(("~", dt.timedelta(days=1), changes[(meta.label, obj.pk)]))
        for kind, later, reason in rows:
            historical.objects.create(
                **values,
                request_id="f" * 32,
                history_date=NOW + later,
                history_type=kind,
                history_user=officer,
                history_change_reason=reason or None,
            )
        history[(meta.label, obj.pk)] = len(rows)

    certificates = [superseded, revoked, valid, from_round]
    return {
        "certificates": {c.code: history[("evaluation.Certificate", c.pk)] for c in certificates},
        "valid": valid.code,
        "superseded": superseded.code,
        "revoked": revoked.code,
    }


def _latest_model(name: str):
    """The model at the latest state, wherever it lives now (certification after issue 8)."""
    for app_label in ("certification", "evaluation"):
        try:
            return latest_apps.get_model(app_label, name)
        except LookupError:
            continue
    raise LookupError(name)


@pytest.mark.slow
@pytest.mark.django_db
def test_upgrade_from_before_keeps_every_row(new_database) -> None:
    alias = new_database(connections[DEFAULT_DB_ALIAS].vendor)
    database = connections[alias]
    with override_settings(DATABASE_ROUTERS=[_Only(alias)]):
        executor = MigrationExecutor(database)
        executor.migrate(_before_targets(executor))
        executor.loader.build_graph()  # the applied migrations changed
        apps = executor.loader.project_state(BEFORE, at_end=True).apps
        _install(apps, alias)
        expected = _fill(apps)
        before = _snapshot(database)
        content_types = _content_type_ids(database)
        # Every audit table holds rows (but geo's: the loaded units have no history).
        audit = {name: table for name, table in before.items() if "_historical" in name}
        assert [name for name, table in audit.items() if not table.rows and not name.startswith("geo_")] == []

        _migrate_to_leaves(database)  # what `ocop migrate` does on the upgraded installation
        after = _snapshot(database)
        _check_after(before, after, expected, content_types)


def _check_after(before: dict, after: dict, expected: dict, content_types: dict) -> None:
    if problems := _differences(before, after):
        pytest.fail("The upgrade lost or changed data:\n" + "\n".join(problems), pytrace=False)

    # The same data through today's models (wherever they live now).
    Certificate = _latest_model("Certificate")
    certificates = {c.code: c for c in Certificate.objects.all()}
    assert set(certificates) == set(expected["certificates"])
    for code, count in expected["certificates"].items():
        assert certificates[code].history.count() == count, code
    assert certificates[expected["valid"]].status_on(AS_OF) == "valid"
    assert certificates[expected["superseded"]].status_on(AS_OF) == "superseded"
    assert certificates[expected["revoked"]].status_on(AS_OF) == "revoked"
    assert _latest_model("Decision").objects.count() == 3
    # The search text was recomputed (folded, with the code; registry 0010) and finds the rows.
    Product = latest_apps.get_model("registry", "Product")
    assert set(Product.objects.values_list("search_text", flat=True)) == {
        "xoai cat hoa loc say deo | 82-28249-1-2022",
        "mam ca linh | 82-28249-2-2022",
        "banh phong tom | 82-28249-3-2022",
    }
    # A moved model keeps its content type row (admin log entries and permissions point at it).
    ContentType = latest_apps.get_model("contenttypes", "ContentType")
    for (app_label, model), pk in content_types.items():
        moved = ContentType.objects.get(pk=pk)
        assert moved.model == model
        assert moved.model_class() is not None, (app_label, model)
    # Art. 12.2: a dossier filed on 10/04/2025 is recorded under the rules of that day (QĐ 148).
    Dossier = latest_apps.get_model("evaluation", "Dossier")
    assert Dossier.objects.get(submitted_on=dt.date(2025, 4, 10)).legal_basis == "QD148"


def _content_type_ids(connection: BaseDatabaseWrapper) -> dict[tuple[str, str], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model, id FROM django_content_type")
        return {(app_label, model): pk for app_label, model, pk in cursor.fetchall()}
