"""Which cog classes a configured path brings: the ones its modules define now, not a list of
every Cog subclass ever created in the process (which made tests depend on their order)."""

from __future__ import annotations

import importlib

from bot import Cog
from bot.config import cog_classes, defined_cogs


def test_a_path_brings_the_cogs_its_modules_define() -> None:
    classes, problems = cog_classes(["tests.fixtures.til", "tests.fixtures.sample_cog"])
    assert problems == []
    assert sorted(c.name for c in classes) == ["sample", "til"]


def test_a_module_imported_again_counts_once_and_a_stray_subclass_not_at_all() -> None:
    module = importlib.import_module("tests.fixtures.til.cog")
    importlib.reload(module)  # a second class object named Til now exists

    class Stray(Cog, name="stray"):  # defined here: not part of tests.fixtures.til
        """Not configured."""

    found = defined_cogs("tests.fixtures.til")
    assert [c.name for c in found] == ["til"] and found[0] is module.Til
    assert Stray not in defined_cogs("tests")
