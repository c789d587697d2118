"""`ocop backup` / `ocop restore`: SQLite → PostgreSQL → SQLite (or the reverse), every row and file kept.

The suite runs on SQLite and on PostgreSQL (DATABASE_URL). Whichever the test database is, the test
creates a database of the other kind (a temporary SQLite file, or a new database on the local
PostgreSQL) and a third of the first kind, restores the test database's archive into the second,
that one's archive into the third, and compares every table and every uploaded file of all three.
"""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from ocop.certification.models import Certificate, Decision
from ocop.conftest import rows_shared_by_a_module
from ocop.core import backup
from ocop.documents.models import EvidenceDocument, EvidenceType
from ocop.documents.uploads import check_upload, save_document
from ocop.registry.models import Producer, Product, ProductImage

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# --- what is compared ---


def _tables(alias: str) -> dict[str, list[bytes]]:
    """Every saved table of ``alias``, each row as the archive writes it (NUL dropped, as PostgreSQL must)."""
    database = connections[alias]
    models = backup._saved_models(backup._state_apps(database, backup._applied(database)))
    tables = {}
    for model in models:
        columns = backup._columns(model)
        rows = model._base_manager.using(alias).order_by("pk").values_list(*(c.attname for c in columns))
        tables[model._meta.db_table] = [
            backup._json_line(
                [backup._strip_nul(backup._encode(c, v))[0] for c, v in zip(columns, row, strict=True)]
            )
            for row in rows
        ]
    return tables


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def _build_world() -> dict:
    """The demo world, evidence documents and a product photo on file, a NUL character in a text."""
    call_command("demo", verbosity=0)
    product = Product.objects.order_by("pk").first()
    for i in range(3):
        document = EvidenceDocument(
            producer=product.producer,
            product=product if i else None,
            doc_type=EvidenceType.BUSINESS_REGISTRATION,
            title=f"Giấy chứng nhận đăng ký {i}",
        )
        save_document(document, check_upload(SimpleUploadedFile(f"giay-{i}.pdf", PDF + bytes([i]) * 1000)))
    path = default_storage.save(
        f"products/{product.pk}/anh.jpg", ContentFile(b"\xff\xd8\xff\xe0" + os.urandom(5000))
    )
    ProductImage.objects.create(product=product, image=path, format="JPEG", width=10, height=10)
    if connection.vendor == "sqlite":  # PostgreSQL stores no NUL: restore drops it there
        Producer.objects.filter(pk=product.producer_id).update(representative_position="Giám\x00đốc")
    return {
        "producers": Producer.objects.count(),
        "products": Product.objects.count(),
        "certificates": Certificate.objects.count(),
        "decisions": Decision.objects.count(),
        "history": Product.history.count(),
        "evidence": EvidenceDocument.objects.count(),
    }


@pytest.fixture(scope="module")
def _world_of_the_module(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[Path, dict]]:
    """Built once for the module (the demo takes seconds); each test's writes are rolled back."""
    media = tmp_path_factory.mktemp("media")
    with rows_shared_by_a_module(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
            counts = _build_world()
        yield media, counts


@pytest.fixture
def world(_world_of_the_module, db, settings) -> dict:
    """The world's counts; MEDIA_ROOT is its files' folder (read, never written, by the tests)."""
    media, counts = _world_of_the_module
    settings.MEDIA_ROOT = media
    return dict(counts)


# From either kind the test goes through both (SQLite → PostgreSQL → SQLite, or the reverse): it runs
# once in CI, in stage 1 (`both_databases`), where PostgreSQL is the second database: backed up after
# a restore, restored from SQLite's archive, its sequences reset.
@pytest.mark.slow
@pytest.mark.both_databases
def test_backup_restores_into_the_other_database_kind_and_back(
    world, new_database, settings, tmp_path
) -> None:
    assert all(world.values()), world
    here = connection.vendor
    other = "postgresql" if here == "sqlite" else "sqlite"
    first_media = Path(settings.MEDIA_ROOT)
    expected_tables, expected_files = _tables(DEFAULT_DB_ALIAS), _files(first_media)
    # The world's 4 files, and the demo's oversight: 3 inspection photos and 2 signatures.
    assert len(expected_files) == 9

    call_command("backup", tmp_path / "first.zip", verbosity=0)
    call_command("restore", tmp_path / "first.zip", "--check", verbosity=0)

    second = new_database(other)
    settings.MEDIA_ROOT = tmp_path / "media-2"
    call_command("restore", tmp_path / "first.zip", database=second, verbosity=0)
    call_command("backup", tmp_path / "second.zip", database=second, verbosity=0)

    third = new_database(here)
    settings.MEDIA_ROOT = tmp_path / "media-3"
    call_command("restore", tmp_path / "second.zip", database=third, verbosity=0)

    for alias, media in ((second, "media-2"), (third, "media-3")):
        assert connections[alias].vendor == {second: other, third: here}[alias]
        tables = _tables(alias)
        assert tables.keys() == expected_tables.keys()
        for table, rows in expected_tables.items():
            assert tables[table] == rows, f"{alias} ({connections[alias].vendor}): {table} differs"
        assert _files(tmp_path / media) == expected_files
        applied = set(MigrationRecorder(connections[alias]).applied_migrations())
        assert applied == set(MigrationRecorder(connection).applied_migrations())

    # Search indexes are not data: no FTS table (nor its shadow tables) in the archive, and the
    # restored databases find by the index what the plain substring rule finds.
    archive = backup.Archive(tmp_path / "first.zip")
    saved_tables = {entry["table"] for entry in archive.manifest["tables"]}
    archive.close()
    assert not {table for table in saved_tables if "_fts" in table}
    name = Product.objects.order_by("pk").first().name
    for alias in (second, third):
        _assert_search_works(alias, name)

    # The models' own view: counts through the ORM, the evidence files' recorded hashes.
    for model, key in ((Producer, "producers"), (Product, "products"), (Certificate, "certificates")):
        assert model.objects.using(third).count() == world[key]
    assert Product.history.using(third).count() == world["history"]
    for document in EvidenceDocument.objects.using(second):
        assert (
            hashlib.sha256((tmp_path / "media-2" / document.file.name).read_bytes()).hexdigest()
            == document.sha256
        )
    # A new row after restore gets a fresh id (PostgreSQL's sequences were reset).
    decision = Decision.objects.using(second).order_by("pk").last()
    decision.pk = None
    decision.number = "9999/QĐ-UBND"
    decision.save(using=second)
    assert decision.pk > Decision.objects.using(DEFAULT_DB_ALIAS).order_by("pk").last().pk


def _assert_search_works(alias: str, name: str) -> None:
    from ocop.registry import search

    products = Product.objects.using(alias)
    for text in (name, name[:3], "dak lak", "gao"):
        found = set(search.search_products(products, text).values_list("pk", flat=True))
        assert found == set(search.naive_products(products, text).values_list("pk", flat=True)), text
    assert search.search_products(products, name).exists()
    if connections[alias].vendor == "sqlite":
        with connections[alias].cursor() as cursor:
            for fts in search.FTS_TABLES.values():  # the index matches its table, row for row
                cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def test_restore_refuses_a_database_that_holds_rows(world, tmp_path, settings) -> None:
    call_command("backup", tmp_path / "b.zip", verbosity=0)
    before = Product.objects.count()
    settings.MEDIA_ROOT = tmp_path / "media-other"
    with pytest.raises(CommandError, match=r"CSDL đích không trống: accounts_historicaluser \(\d+\)"):
        call_command("restore", tmp_path / "b.zip", verbosity=0)
    assert Product.objects.count() == before
    assert not (tmp_path / "media-other").exists()


def _damaged(source: Path, target: Path, how: str) -> Path:
    data = source.read_bytes()
    if how == "truncated":
        target.write_bytes(data[: len(data) // 2])
    else:  # one byte changed inside a member's compressed data
        at = data.index(b"data/registry.product.jsonl") + 200
        target.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
    return target


@pytest.mark.parametrize("how", ["truncated", "corrupted"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    world, new_database, tmp_path, settings, how
) -> None:
    call_command("backup", tmp_path / "b.zip", verbosity=0)
    damaged = _damaged(tmp_path / "b.zip", tmp_path / f"{how}.zip", how)
    with pytest.raises(CommandError, match="bị hỏng hoặc không đầy đủ"):
        call_command("restore", damaged, "--check", verbosity=0)

    target = new_database("sqlite")
    settings.MEDIA_ROOT = tmp_path / "media-other"
    with pytest.raises(CommandError, match="bị hỏng hoặc không đầy đủ"):
        call_command("restore", damaged, database=target, verbosity=0)
    assert connections[target].introspection.table_names() == []
    assert not (tmp_path / "media-other").exists()


def test_not_an_archive(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("không phải bản sao lưu")
    with pytest.raises(CommandError, match="bị hỏng hoặc không đầy đủ"):
        call_command("restore", tmp_path / "notes.txt", "--check")
    with pytest.raises(CommandError, match="Không có tệp"):
        call_command("restore", tmp_path / "missing.zip", "--check")


# --- a restore that fails after the archive was verified changes nothing ---


def _tampered(source: Path, target: Path, how: str) -> Path:
    """A copy of ``source`` whose products table is edited and whose manifest agrees (SHA-256 and
    row count recomputed the way `restore --check` counts them), so only the load can fail."""
    import json
    import zipfile

    member = "data/registry.product.jsonl"
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read(backup.MANIFEST))
        contents = {name: archive.read(name) for name in archive.namelist()}
    entry = next(e for e in manifest["tables"] if e["file"] == member)
    lines = contents[member].splitlines(keepends=True)
    if how == "dangling_foreign_key":  # refused by the database at the commit
        row = json.loads(lines[0])
        row[entry["columns"].index("producer_id")] = 999_999_999
        lines[0] = backup._json_line(row)
    elif how == "duplicate_row":  # refused by the database at once (primary key)
        lines.append(lines[-1])
    else:  # "count_mismatch": the last line lacks its newline, so the manifest counts one row less
        lines[-1] = lines[-1].rstrip(b"\n")
    data = b"".join(lines)
    contents[member] = data
    entry["sha256"], entry["rows"] = hashlib.sha256(data).hexdigest(), data.count(b"\n")
    contents[backup.MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return target


def _row_counts(alias: str) -> dict[str, int]:
    database = connections[alias]
    models = backup._saved_models(backup._state_apps(database, backup._applied(database)))
    return {model._meta.db_table: model._base_manager.using(alias).count() for model in models}


@pytest.mark.slow
def test_a_restore_that_fails_midway_leaves_the_empty_database_empty(
    world, new_database, tmp_path, settings
) -> None:
    # One target for the three failures (each one a new database would migrate it again): after
    # each, not a row and not a file; then the good archive still restores into it.
    first_media = Path(settings.MEDIA_ROOT)
    call_command("backup", tmp_path / "good.zip", verbosity=0)
    target = new_database(connection.vendor)
    settings.MEDIA_ROOT = tmp_path / "media-new"
    expected = {
        "dangling_foreign_key": "IntegrityError",  # refused by the database at the commit
        "duplicate_row": "IntegrityError",  # refused at once (primary key)
        "count_mismatch": "dòng sau khi khôi phục, manifest ghi",
    }
    for how, reason in expected.items():
        bad = _tampered(tmp_path / "good.zip", tmp_path / f"{how}.zip", how)
        call_command("restore", bad, "--check", verbosity=0)  # intact as an archive: only loading fails
        with pytest.raises(CommandError) as error:
            call_command("restore", bad, database=target, verbosity=0)
        message = str(error.value)
        assert reason in message, how
        # The first restore migrated the new database ("still empty"); later ones find it migrated.
        first = how == "dangling_foreign_key"
        assert ("không ghi dòng nào: CSDL vẫn trống" if first else "không ghi dòng nào: CSDL và") in message
        assert set(_row_counts(target).values()) == {0}, how  # migrated by restore, not a single row
        assert not list((tmp_path / "media-new").rglob("*.*")), how  # no uploaded file left behind

    call_command("restore", tmp_path / "good.zip", database=target, verbosity=0)
    assert Product.objects.using(target).count() == world["products"]
    assert _files(tmp_path / "media-new") == _files(first_media)


def test_a_refused_restore_says_the_database_is_unchanged(world, tmp_path, settings) -> None:
    call_command("backup", tmp_path / "b.zip", verbosity=0)
    with pytest.raises(CommandError, match="CSDL và MEDIA_ROOT không thay đổi"):
        call_command("restore", tmp_path / "b.zip", verbosity=0)
