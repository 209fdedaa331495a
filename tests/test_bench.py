"""Every benchmark still runs: each bench module, at its quick size, returns well-formed rows.

No timing is asserted here (the numbers depend on the machine); `python -m bench` reports them.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from bench.__main__ import BENCHES, table

NEEDED = ("row", "measure", "value", "target")
PRINTABLE = (str, int, float)  # value and target cells are str()-ed into the table; some benches give numbers


def bench_module(name: str) -> Any:
    try:
        return importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"bench.{name}":
            pytest.skip(f"bench/{name}.py is not present")
        raise


@pytest.fixture(autouse=True)
def scratch_tempdir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benches' temporary databases go under pytest's tmp_path, not /tmp."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))


@pytest.mark.parametrize("name", BENCHES)
def test_quick_bench_returns_well_formed_rows(name: str) -> None:
    # run() starts its own event loops (asyncio.run), so this is a plain, synchronous test
    rows = bench_module(name).run(quick=True)

    assert isinstance(rows, list) and rows, f"{name} returned no rows"
    for row in rows:
        missing = [key for key in NEEDED if key not in row]
        assert not missing, f"{name}: row {row} lacks {missing}"
        for key in ("row", "measure"):
            assert isinstance(row[key], str) and row[key].strip(), f"{name}: {key} of {row} is not a non-empty string"
        for key in ("value", "target"):
            assert isinstance(row[key], PRINTABLE) and not isinstance(row[key], bool) and str(row[key]).strip(), \
                f"{name}: {key} of {row['measure']!r} is {row[key]!r}"
        assert row.get("ok") in (True, False, None), f"{name}: ok of {row['measure']!r} is {row.get('ok')!r}"
        assert "nan" not in str(row["value"]).lower(), f"{name}: {row['measure']!r} measured nothing: {row['value']}"
    rendered = table(rows).splitlines()
    assert len(rendered) == len(rows) + 2, "every row renders as one table line"
