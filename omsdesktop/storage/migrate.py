"""Run the packaged Alembic migrations programmatically (no alembic.ini on the user's machine)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from omsdesktop.storage.errors import DatabaseTooNewError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number: PostgreSQL advisory lock taken while one desk migrates.
_PG_MIGRATION_LOCK = 0x6F6D_7364_6573_6B31 & 0x7FFF_FFFF_FFFF_FFFF


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision, once, even if several desks start together.

    Raises:
        DatabaseTooNewError: the database carries a revision this program does not know.
    """
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        current = set(MigrationContext.configure(connection).get_current_heads())
        unknown = current - known
        if unknown:
            raise DatabaseTooNewError(f"unknown revisions {sorted(unknown)}")
        if current == set(script.get_heads()):
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
