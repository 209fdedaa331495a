"""`python -m bot db revision --cog NAME -m MSG`: Alembic autogenerate on that cog's own branch,
for a brand-new cog (a new branch) and for a change to it (the next revision), and the drift
check a cog's tests call tells what is missing and how to write it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .test_cli_errors import bot_env, one_line, run

ROOT = Path(__file__).resolve().parents[2]

SETUP = '''
from bot import Cog, CommandContext, command
from .models import Badge


class Badges(Cog, name="badge"):
    """Badges."""

    def delete_member_data(self, session, community_id, member_id):
        return 0

    @command("show")
    async def show(self, ctx: CommandContext) -> None:
        await ctx.reply("badges")


def setup(app):
    app.add_cog(Badges(app))
'''
MODELS = '''
from sqlmodel import Field, SQLModel


class Badge(SQLModel, table=True):
    __tablename__ = "rev_test_badge"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    title: str = Field(max_length=80)
'''


def new_cog(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    package = tmp_path / "src" / "badges"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(SETUP), encoding="utf-8")
    (package / "models.py").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    (tmp_path / "s.yaml").write_text("cogs: [badges]\n", encoding="utf-8")
    return package, {"PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "src")])}


def revision(tmp_path: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return run(tmp_path, "db", "revision", "--cog", "badge", "-m", message, "--config", str(tmp_path / "s.yaml"), **env)


def drift_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from bot.testing import assert_migrations_match_models as check; check('badges'); print('match')"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=bot_env(tmp_path, **env), cwd=tmp_path)


def test_a_new_cog_gets_its_own_branch_and_then_its_next_revision(tmp_path: Path) -> None:
    package, env = new_cog(tmp_path)
    before = drift_check(tmp_path, env)
    assert before.returncode != 0 and "rev_test_badge" in before.stderr
    assert 'python -m bot db revision --cog badge -m "what changed"' in before.stderr

    first = revision(tmp_path, env, "badges table")
    assert first.returncode == 0, first.stderr
    written = package / "migrations" / "badges_0001_badges_table.py"
    assert first.stdout.startswith("wrote ") and written.name in first.stdout
    text = written.read_text(encoding="utf-8")
    assert "revision = 'badges_0001'" in text and "branch_labels = ('badges',)" in text
    assert "depends_on = 'core_" in text and "op.create_table('rev_test_badge'" in text
    assert "community" not in text.split("op.create_table('rev_test_badge'")[0]  # only the cog's own tables
    assert drift_check(tmp_path, env).stdout.strip() == "match"

    again = revision(tmp_path, env, "nothing")
    assert again.returncode == 0 and again.stdout.startswith("no changes"), again.stdout + again.stderr
    assert sorted(p.name for p in (package / "migrations").glob("*.py")) == [written.name]

    models = package / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "    awarded_by: int | None = None\n", encoding="utf-8")
    second = revision(tmp_path, env, "who awarded it")
    assert second.returncode == 0, second.stderr
    text = (package / "migrations" / "badges_0002_who_awarded_it.py").read_text(encoding="utf-8")
    assert "down_revision = 'badges_0001'" in text and "branch_labels = None" in text
    assert "add_column(sa.Column('awarded_by'" in text
    assert drift_check(tmp_path, env).stdout.strip() == "match"

    upgraded = run(tmp_path, "db", "upgrade", BOT_CONFIG=str(tmp_path / "s.yaml"), **env)
    assert upgraded.returncode == 0 and "badges_0002" in upgraded.stdout, upgraded.stderr


def test_an_unknown_cog_is_one_line_naming_the_loaded_ones(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "db", "revision", "--cog", "nope", "-m", "x"))
    assert line.startswith('error: no loaded cog is called "nope" — loaded: about, ')


def test_a_cog_without_tables_needs_no_migration(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "db", "revision", "--cog", "help", "-m", "x"))
    assert line.startswith("error: the help cog defines no tables")


def test_the_message_is_required(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "db", "revision", "--cog", "poll"))
    assert "the following arguments are required: -m/--message" in line


def test_a_branch_with_two_heads_is_one_line(tmp_path: Path) -> None:
    package, env = new_cog(tmp_path)
    assert revision(tmp_path, env, "badges table").returncode == 0
    for twin in ("badges_0002", "badges_0003"):  # two people each added a revision on badges_0001
        (package / "migrations" / f"{twin}_x.py").write_text(
            f"revision = {twin!r}\ndown_revision = 'badges_0001'\nbranch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n", encoding="utf-8")
    models = package / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "    awarded_by: int | None = None\n", encoding="utf-8")
    line = one_line(revision(tmp_path, env, "more"))
    assert line.startswith("error: cannot write the badge cog's next migration: ") and "head" in line.lower()


def test_a_migration_that_fails_is_one_line_not_blamed_on_the_database(tmp_path: Path) -> None:
    package, env = new_cog(tmp_path)
    assert revision(tmp_path, env, "badges table").returncode == 0
    first = next((package / "migrations").glob("badges_0001_*.py"))
    first.write_text(first.read_text(encoding="utf-8").replace("op.create_table('rev_test_badge'",
                                                               "op.create_table('member'"), encoding="utf-8")
    line = one_line(revision(tmp_path, env, "more"))
    assert line.startswith("error: the migrations fail on a fresh database") and "DATABASE_URL" not in line
