"""Which tables belong to whom: a cog owns the SQLModel tables defined in its own code (its
package when the cog is one — the package has the ``setup`` — else its module alone); the core
owns the tables defined in ``bot`` outside any cog package.

``SQLModel.metadata`` is one registry for every model imported in the process (a test's
fixture cog included), so whatever compares models with a database (the drift checks,
``python -m bot db revision``) asks here which of its tables are in question.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import Table
from sqlmodel import SQLModel

if TYPE_CHECKING:
    from .cog import Cog


def cog_package(cog: "type[Cog]") -> str:
    """The module path of a cog's own code: its package when the package has the ``setup``."""
    owner = cog.__module__
    parent = sys.modules.get(owner.rpartition(".")[0]) if "." in owner else None
    if parent is not None and hasattr(parent, "setup"):
        owner = parent.__name__
    return owner


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def table_models() -> Iterable[type]:
    """Every SQLModel class with a table, in the process (subclasses of subclasses too)."""
    seen: set[type] = set()
    todo = list(SQLModel.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        if hasattr(cls, "__table__"):
            yield cls


def _in_cog_package(module: str) -> bool:
    parts = module.split(".")
    return any(hasattr(sys.modules.get(".".join(parts[:n])), "setup") for n in range(1, len(parts) + 1))


def cog_tables(cog: "type[Cog]") -> list[Table]:
    package = cog_package(cog)
    tables = {m.__table__.name: m.__table__ for m in table_models() if _within(m.__module__, package)}  # type: ignore[attr-defined]
    return [tables[name] for name in sorted(tables)]


def core_tables() -> list[Table]:
    tables = {m.__table__.name: m.__table__ for m in table_models()  # type: ignore[attr-defined]
              if _within(m.__module__, "bot") and not _in_cog_package(m.__module__)}
    return [tables[name] for name in sorted(tables)]


def only_tables(names: Iterable[str]) -> Any:
    """An Alembic ``include_object`` that keeps these tables (and their columns, indexes,
    constraints) and ignores every other table, in the models or in the database."""
    keep = set(names)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name in keep
        table = getattr(obj, "table", None)
        return table is None or table.name in keep

    return include
