"""Backup and restore (`ocop backup`, `ocop restore`): one portable archive, either database kind.

The archive is a ZIP file (written to ``FILE.part`` and renamed when complete):

- ``data/<app>.<model>.jsonl`` — every row of every table, one JSON array a line, the columns in the
  order the manifest lists them; values as Django's serializers write them (ISO dates, decimals as
  strings, JSON as JSON). Rows are read and written in batches, so a national database (20,000
  products and their history) needs little memory.
- ``media/<path>`` — every file under MEDIA_ROOT (evidence documents, product images).
- ``manifest.json`` — the platform version, the migrations applied, each table with its columns,
  row count and SHA-256, each file with its size and SHA-256.

The format is logical, not a file copy, so any database kind restores into any other: SQLite →
PostgreSQL is ``ocop backup`` then ``ocop restore``. It needs neither pg_dump nor the sqlite3 tool.

Consistency while the app runs: on PostgreSQL the tables are read in one REPEATABLE READ, READ ONLY
transaction (one snapshot, writers not blocked); on SQLite the database is first copied through
SQLite's online backup API to a temporary file, which is then read.

Rows are read and written through the *historical* models of the migration state (as migrations
see them), so an archive restores into an empty database migrated to the archive's state — which
restore reaches itself on a new database — and a later ``ocop migrate`` upgrades it.

Not saved: sessions (a session key is a credential; after a restore everyone signs in again) and
django-axes' current lock-outs (short-lived). The login log (``axes_accesslog``,
``axes_accessfailurelog``) is saved. Content types and permissions, which ``migrate`` creates, are
replaced by the archive's rows (other rows point at their ids).

Restore checks the whole archive (every SHA-256 and row count) before it writes anything, refuses
a database that holds any row, then loads every table in one transaction (foreign keys are
deferred to the commit on both kinds), resets PostgreSQL's sequences, compares the row counts with
the manifest and moves the files into MEDIA_ROOT; any failure rolls everything back (the files
moved are taken away again) and the error says that nothing was written. A new database that
restore migrated itself keeps its tables, empty: restoring into it again works.
"""

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import ocop

FORMAT = "ocop-backup/1"
MANIFEST = "manifest.json"
# Not saved (see the module's docstring); labels in lower case, as Options.label_lower.
EXCLUDED = ("sessions.session", "axes.accessattempt", "axes.accessattemptexpiration")
# Created by `migrate` (post_migrate) on the target: replaced by the archive's rows.
REPLACED = ("auth.permission", "contenttypes.contenttype")
BATCH = 1000
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the person running the command."""


# --- the models, as migrations see them ---


def _state_apps(connection, nodes: set[tuple[str, str]]):
    """The historical models of the migration state ``nodes`` (every migration applied)."""
    executor = MigrationExecutor(connection)
    unknown = nodes - set(executor.loader.graph.nodes)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in sorted(unknown))
        raise BackupError(
            _("Phiên bản này không có migration %(names)s: hãy cài phiên bản của bản sao lưu (hoặc mới hơn).")
            % {"names": names}
        )
    return executor.loader.project_state(sorted(nodes)).apps


def _saved_models(state_apps) -> list[type[models.Model]]:
    """Every table saved, one model each, sorted by label (foreign keys are deferred on load)."""
    seen, saved = set(), []
    for model in state_apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.label_lower in EXCLUDED:
            continue
        if meta.db_table not in seen:
            seen.add(meta.db_table)
            saved.append(model)
    return sorted(saved, key=lambda model: model._meta.label_lower)


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _applied(connection) -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


# --- values ---


def _encode(column: models.Field, value: Any) -> Any:
    if value is None or isinstance(column, models.JSONField) or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return column.value_to_string(SimpleNamespace(**{column.attname: value}))


def _json_line(values: list) -> bytes:
    # Sorted keys: the same rows give the same bytes from either database kind (jsonb reorders keys).
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def _decode(column: models.Field, value: Any) -> Any:
    if value is None or isinstance(column, models.JSONField):
        return value
    if isinstance(column, models.BinaryField):
        return base64.b64decode(value)
    return column.to_python(value)


def _strip_nul(value: Any) -> tuple[Any, bool]:
    """PostgreSQL stores no NUL character in text or JSON; SQLite does. Drop them, say if any was."""
    if isinstance(value, str):
        return (value.replace("\x00", ""), True) if "\x00" in value else (value, False)
    if isinstance(value, list):
        pairs = [_strip_nul(item) for item in value]
        return [item for item, _changed in pairs], any(changed for _item, changed in pairs)
    if isinstance(value, dict):
        out, changed = {}, False
        for key, item in value.items():
            key, key_changed = _strip_nul(key)
            out[key], item_changed = _strip_nul(item)
            changed |= key_changed or item_changed
        return out, changed
    return value, False


# --- backup ---


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    stripped_nul: int = 0
    manifest: dict = field(default_factory=dict)


class _HashingWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.sha256, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.out.write(data)


def open_connection(alias: str, config: dict) -> str:
    """A connection under ``alias`` to the database ``config`` (as in DATABASES), not in settings."""
    config = connections.configure_settings({DEFAULT_DB_ALIAS: dict(config)})[DEFAULT_DB_ALIAS]
    setattr(connections._connections, alias, load_backend(config["ENGINE"]).DatabaseWrapper(config, alias))
    return alias


def close_connection(alias: str) -> None:
    connections[alias].close()
    delattr(connections._connections, alias)


@contextmanager
def _snapshot(using: str, workdir: Path) -> Iterator[str]:
    """A database alias that reads one consistent state of ``using`` while the app goes on writing."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Inside a caller's transaction (tests): that transaction is the snapshot, and SQLite's
        # backup API would wait for it forever.
        yield using
    elif connection.vendor == "sqlite":
        path = workdir / "snapshot.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # all pages in one step: one consistent state
        finally:
            target.close()
        alias = open_connection(
            f"ocop_backup_{id(path)}", {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
        )
        try:
            yield alias
        finally:
            close_connection(alias)
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield using
    else:
        raise BackupError(_("Chưa hỗ trợ sao lưu CSDL loại %(vendor)s.") % {"vendor": connection.vendor})


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _media_files(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    found = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Writes the archive to ``target`` (atomically: ``target.part`` renamed when complete)."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix=".ocop-backup-", dir=target.parent) as workdir:
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                os.chmod(partial, 0o600)  # password hashes and personal data
                manifest = _write_archive(archive, using, Path(workdir), summary)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    summary.manifest = manifest
    return summary


def _write_archive(archive: zipfile.ZipFile, using: str, workdir: Path, summary: Summary) -> dict:
    tables = []
    with _snapshot(using, workdir) as alias:
        connection = connections[alias]
        applied = _applied(connection)
        for model in _saved_models(_state_apps(connection, applied)):
            columns = _columns(model)
            name = f"data/{model._meta.label_lower}.jsonl"
            rows = 0
            with archive.open(_member(name), "w", force_zip64=True) as member:
                out = _HashingWriter(member)
                queryset = model._base_manager.using(alias).order_by(model._meta.pk.attname)
                for row in queryset.values_list(*(c.attname for c in columns)).iterator(chunk_size=2000):
                    values = [_encode(c, v) for c, v in zip(columns, row, strict=True)]
                    out.write(_json_line(values))
                    rows += 1
            tables.append(
                {
                    "model": model._meta.label_lower,
                    "table": model._meta.db_table,
                    "file": name,
                    "columns": [c.attname for c in columns],
                    "rows": rows,
                    "sha256": out.sha256.hexdigest(),
                }
            )
            summary.tables += 1
            summary.rows += rows
        vendor = connection.vendor
    # Files after the snapshot: one uploaded meanwhile is saved without its row (harmless).
    media = []
    for relative, path in _media_files(Path(settings.MEDIA_ROOT)):
        try:
            source = path.open("rb")
        except FileNotFoundError:  # deleted since the walk
            continue
        with source, archive.open(_member(f"media/{relative}"), "w", force_zip64=True) as member:
            out = _HashingWriter(member)
            while chunk := source.read(CHUNK):
                out.write(chunk)
        media.append({"path": relative, "size": out.size, "sha256": out.sha256.hexdigest()})
        summary.files += 1
        summary.bytes += out.size
    manifest = {
        "format": FORMAT,
        "version": ocop.__version__,
        "created": timezone.now().isoformat(),
        "database": vendor,
        "migrations": sorted([app, name] for app, name in applied),
        "excluded": list(EXCLUDED),
        "tables": tables,
        "media": media,
    }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


# --- reading an archive ---


class Archive:
    """An archive opened for reading; every problem is a BackupError with a clear message."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
            self.manifest = json.loads(self.zip.read(MANIFEST))
        except FileNotFoundError:
            raise BackupError(_("Không có tệp %(path)s.") % {"path": self.path}) from None
        except KeyError:
            raise BackupError(
                _("%(path)s không phải bản sao lưu OCOP (thiếu manifest.json).") % {"path": self.path}
            ) from None
        except (zipfile.BadZipFile, zlib.error, json.JSONDecodeError, OSError, EOFError) as error:
            raise self._damaged(error) from None
        self._check_manifest()

    def _damaged(self, error: Exception) -> BackupError:
        return BackupError(
            _("Bản sao lưu %(path)s bị hỏng hoặc không đầy đủ (%(error)s).")
            % {"path": self.path, "error": error}
        )

    def _check_manifest(self) -> None:
        manifest = self.manifest
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(
                _("%(path)s không phải bản sao lưu OCOP định dạng %(format)s.")
                % {"path": self.path, "format": FORMAT}
            )
        names = set(self.zip.namelist())
        for entry in manifest["tables"]:
            if entry["file"] not in names:
                raise self._damaged(KeyError(entry["file"]))
        for entry in manifest["media"]:
            path = PurePosixPath(entry["path"])
            if path.is_absolute() or ".." in path.parts or not path.parts or f"media/{path}" not in names:
                raise self._damaged(ValueError(entry["path"]))

    @property
    def migrations(self) -> set[tuple[str, str]]:
        return {(app, name) for app, name in self.manifest["migrations"]}

    def _stream(self, name: str) -> Iterator[bytes]:
        try:
            with self.zip.open(name) as member:
                while chunk := member.read(CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError) as error:
            raise self._damaged(error) from None

    def rows(self, entry: dict) -> Iterator[list]:
        """The rows of a table, each checked to have the manifest's columns."""
        width, pending = len(entry["columns"]), b""
        for chunk in self._stream(entry["file"]):
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                yield self._row(line, width, entry)
        if pending:
            yield self._row(pending, width, entry)

    def _row(self, line: bytes, width: int, entry: dict) -> list:
        try:
            row = json.loads(line)
        except ValueError as error:
            raise self._damaged(error) from None
        if not isinstance(row, list) or len(row) != width:
            raise self._damaged(ValueError(entry["file"]))
        return row

    def verify(self) -> Summary:
        """Reads every member: SHA-256 and row counts as the manifest says. Writes nothing."""
        summary = Summary(manifest=self.manifest)
        for entry in self.manifest["tables"]:
            sha256, rows = hashlib.sha256(), 0
            for chunk in self._stream(entry["file"]):
                sha256.update(chunk)
                rows += chunk.count(b"\n")
            if sha256.hexdigest() != entry["sha256"] or rows != entry["rows"]:
                raise self._damaged(ValueError(_("%(file)s không khớp manifest") % {"file": entry["file"]}))
            summary.tables += 1
            summary.rows += rows
        for entry in self.manifest["media"]:
            sha256, size = hashlib.sha256(), 0
            for chunk in self._stream(f"media/{entry['path']}"):
                sha256.update(chunk)
                size += len(chunk)
            if sha256.hexdigest() != entry["sha256"] or size != entry["size"]:
                raise self._damaged(ValueError(_("%(file)s không khớp manifest") % {"file": entry["path"]}))
            summary.files += 1
            summary.bytes += size
        return summary

    def extract(self, entry: dict, destination: Path) -> None:
        sha256 = hashlib.sha256()
        with destination.open("wb") as out:
            for chunk in self._stream(f"media/{entry['path']}"):
                sha256.update(chunk)
                out.write(chunk)
        if sha256.hexdigest() != entry["sha256"]:
            raise self._damaged(ValueError(entry["path"]))

    def close(self) -> None:
        self.zip.close()


def check(path: Path) -> Summary:
    """``ocop restore --check``: the archive is complete and intact."""
    archive = Archive(path)
    try:
        return archive.verify()
    finally:
        archive.close()


# --- restore ---


def fulltext_tables(connection) -> list[str]:
    """SQLite FTS5 tables (indexes, not data: never saved; their shadow tables neither)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
        )
        return sorted(row[0] for row in cursor.fetchall())


def rebuild_fulltext(connection) -> None:
    """Rebuilds every FTS5 index from its content table after a load (whatever triggers did)."""
    with connection.cursor() as cursor:
        for table in fulltext_tables(connection):
            cursor.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'rebuild\')')


def _migrate_to(connection, nodes: set[tuple[str, str]]) -> None:
    """Migrates a new database to the state ``nodes``: per app the node that follows all others."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = []
    for app in sorted({app for app, _name in graph.nodes}):
        mine = [node for node in nodes if node[0] == app]
        targets.append(max(mine, key=lambda node: len(graph.forwards_plan(node))) if mine else (app, None))
    executor.migrate(targets)


def _holding_rows(connection, saved: list) -> list[str]:
    existing = set(connection.introspection.table_names())
    holding = []
    for model in saved:
        if model._meta.label_lower in REPLACED or model._meta.db_table not in existing:
            continue
        if model._base_manager.using(connection.alias).exists():
            count = model._base_manager.using(connection.alias).count()
            holding.append(f"{model._meta.db_table} ({count})")
    return holding


def _media_conflicts(archive: Archive, root: Path) -> list[str]:
    conflicts = []
    for entry in archive.manifest["media"]:
        path = root / entry["path"]
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            conflicts.append(entry["path"])
    return conflicts


UNCHANGED = gettext_lazy("Khôi phục bị huỷ, không ghi dòng nào: CSDL và MEDIA_ROOT không thay đổi.")
UNCHANGED_MIGRATED = gettext_lazy(
    "Khôi phục bị huỷ, không ghi dòng nào: CSDL vẫn trống (chỉ có các bảng do bước migrate vừa tạo) "
    "và MEDIA_ROOT không thay đổi; có thể khôi phục lại vào chính CSDL này."
)


def restore(path: Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Restores the archive ``path`` into the empty database ``using`` and MEDIA_ROOT, or changes
    nothing: every failure (a damaged archive, a database that is not empty, a row the database
    refuses, a count that differs) is a BackupError saying so, after the load's transaction was
    rolled back and the files moved were taken away again."""
    migrated = []
    try:
        return _restore(path, using, migrated)
    except BackupError as error:
        raise BackupError(f"{error} {UNCHANGED_MIGRATED if migrated else UNCHANGED}") from error
    except Exception as error:  # a value or a row the database refuses (IntegrityError, DataError…)
        reason = _("Dữ liệu của bản sao lưu không ghi được vào CSDL (%(error)s).") % {
            "error": f"{type(error).__name__}: {error}".strip()
        }
        raise BackupError(f"{reason} {UNCHANGED_MIGRATED if migrated else UNCHANGED}") from error


def _restore(path: Path, using: str, migrated: list) -> Summary:
    archive = Archive(path)
    try:
        summary = archive.verify()  # nothing is written from an archive that is not intact
        connection = connections[using]
        applied = _applied(connection)
        if not applied:
            migrated.append(True)
            _migrate_to(connection, archive.migrations)
            applied = _applied(connection)
        if applied != archive.migrations:
            missing = sorted(archive.migrations - applied)[:5]
            extra = sorted(applied - archive.migrations)[:5]
            raise BackupError(
                _(
                    "CSDL đích không ở cùng trạng thái migration với bản sao lưu "
                    "(thiếu: %(missing)s; thừa: %(extra)s). Hãy khôi phục vào một CSDL mới, chưa migrate."
                )
                % {
                    "missing": ", ".join(".".join(n) for n in missing) or "—",
                    "extra": ", ".join(".".join(n) for n in extra) or "—",
                }
            )
        state_apps = _state_apps(connection, applied)
        saved = {model._meta.label_lower: model for model in _saved_models(state_apps)}
        if holding := _holding_rows(connection, list(saved.values())):
            raise BackupError(
                _("CSDL đích không trống: %(tables)s. Chỉ khôi phục vào CSDL trống.")
                % {"tables": ", ".join(holding[:10]) + (" …" if len(holding) > 10 else "")}
            )
        media_root = Path(settings.MEDIA_ROOT)
        if conflicts := _media_conflicts(archive, media_root):
            raise BackupError(
                _("MEDIA_ROOT đã có tệp khác cùng tên với tệp trong bản sao lưu: %(files)s.")
                % {"files": ", ".join(conflicts[:5])}
            )
        for entry in archive.manifest["tables"]:
            model = saved.get(entry["model"])
            if model is None or [c.attname for c in _columns(model)] != entry["columns"]:
                raise BackupError(
                    _("Bảng %(table)s của bản sao lưu không khớp mô hình ở trạng thái migration này.")
                    % {"table": entry["table"]}
                )
        summary.stripped_nul = _load(archive, connection, saved, media_root)
        return summary
    finally:
        archive.close()


def _load(archive: Archive, connection, saved: dict, media_root: Path) -> int:
    strip = connection.vendor == "postgresql"
    stripped = 0
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ocop-restore-", dir=media_root.parent))
    moved: list[Path] = []
    try:
        with transaction.atomic(using=connection.alias):
            for label in REPLACED:  # what migrate created; nothing points at them yet (checked empty)
                saved[label]._base_manager.using(connection.alias).all()._raw_delete(connection.alias)
            for entry in archive.manifest["tables"]:
                model = saved[entry["model"]]
                columns = _columns(model)
                batch_size = max(1, min(BATCH, connection.ops.bulk_batch_size(columns, [None] * BATCH)))
                batch = []
                for row in archive.rows(entry):
                    values = {}
                    for column, value in zip(columns, row, strict=True):
                        value = _decode(column, value)
                        if strip:
                            value, changed = _strip_nul(value)
                            stripped += changed
                        values[column.attname] = value
                    batch.append(SimpleNamespace(**values))
                    if len(batch) >= batch_size:
                        model._base_manager._insert(batch, fields=columns, raw=True, using=connection.alias)
                        batch = []
                if batch:
                    model._base_manager._insert(batch, fields=columns, raw=True, using=connection.alias)
                count = model._base_manager.using(connection.alias).count()
                if count != entry["rows"]:
                    raise BackupError(
                        _("Bảng %(table)s: %(count)s dòng sau khi khôi phục, manifest ghi %(rows)s.")
                        % {"table": entry["table"], "count": count, "rows": entry["rows"]}
                    )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for statement in connection.ops.sequence_reset_sql(no_style(), list(saved.values())):
                        cursor.execute(statement)
            rebuild_fulltext(connection)
            for entry in archive.manifest["media"]:
                staged = staging / entry["path"]
                staged.parent.mkdir(parents=True, exist_ok=True)
                archive.extract(entry, staged)
            for entry in archive.manifest["media"]:
                destination = media_root / entry["path"]
                if destination.exists():  # the same file (checked): keep it
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
                os.replace(staging / entry["path"], destination)
                os.chmod(destination, 0o640)
                moved.append(destination)
            # Foreign keys are checked here, at the commit.
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    ContentType.objects.clear_cache()
    return stripped
