"""The `ocop` console script: the project's manage.py.

A database that cannot be reached (or stays locked) ends any command with one clear line in
Vietnamese and English and exit status 1, not a traceback.
"""

import os
import sys

# Commands serving web requests keep the short database wait of settings (a 503 within seconds);
# the others (imports, the demo, db_worker…) wait longer for a database another process writes.
WEB_COMMANDS = {"serve", "runserver"}
COMMAND_DB_WAIT_SECONDS = "30"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    if len(sys.argv) > 1 and sys.argv[1] not in WEB_COMMANDS:
        os.environ.setdefault("OCOP_DB_WAIT_SECONDS", COMMAND_DB_WAIT_SECONDS)
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, InterfaceError) as error:
        from ocop.core.errors import database_unavailable

        if not database_unavailable(error):
            raise
        sys.stderr.write(database_message(error) + "\n")
        sys.exit(1)


def database_message(error: Exception) -> str:
    """One line, Vietnamese then English, naming the database (never its password) and the cause."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    where = str(database.get("NAME", ""))
    if database.get("HOST"):
        where = f"{database['HOST']}:{database.get('PORT') or ''}/{where}"
    cause = " ".join(str(error).split())[:300]
    if "locked" in cause:
        return (
            f"ocop: cơ sở dữ liệu {where} đang bị khoá bởi một tiến trình khác; hãy thử lại sau. / "
            f"The database {where} is locked by another process; try again later. ({cause})"
        )
    return (
        f"ocop: không kết nối được cơ sở dữ liệu {where} (kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu). / "
        f"Cannot reach the database {where} (check DATABASE_URL and the database server). ({cause})"
    )


if __name__ == "__main__":
    main()
