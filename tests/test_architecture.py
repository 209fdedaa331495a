"""The import directions the design promises: adapters -> core <- cogs, checked on the source.

A cog imports the core only as ``from bot import ...`` (the names in ``bot.__all__``: never a
``bot.<module>``, so never the app, the adapters, storage or the test kit) and no platform
library; the core imports no cog; the adapters import no cog; the core's ports depend on no
app, cog, context, config or adapter module; and the core's modules form no import cycle at
load time.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBS = ("discord", "slack_bolt", "slack_sdk", "aiohttp")

def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, *, load_time_only: bool = False) -> set[str]:
    """Absolute names of the modules a file imports (``load_time_only``: the ones executed when
    the module is imported — not inside functions or ``if TYPE_CHECKING:``)."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) and load_time_only:
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and load_time_only:
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                found.update(f"{base}.{a.name}" if (ROOT / Path(*f"{base}.{a.name}".split("."))).with_suffix(".py")
                             .exists() or (ROOT / Path(*f"{base}.{a.name}".split("."))).is_dir() else base
                             for a in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.stmt)] +
                          [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body])

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_cogs_import_no_platform_library_and_not_the_demo() -> None:
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in cog_sources() for name in imports(p)
           if _within(name, PLATFORM_LIBS + ("demo",))]
    assert bad == []


def cog_sources() -> list[Path]:
    """The built-in cogs and the sample cog a new author copies (its own tests may use bot.testing)."""
    sample = [p for p in sources("tests/fixtures/til") if not p.name.startswith("test_")]
    return sources("cogs") + sample


def core_imports(source: str) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` for every import a file takes from the core (``import bot.x``
    gives no names), wherever it is written (in functions too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if _within(a.name, ("bot",))]
        elif isinstance(node, ast.ImportFrom) and not node.level and _within(node.module or "", ("bot",)):
            found.append((node.lineno, node.module or "", [a.name for a in node.names]))
    return found


def sdk_problems(source: str, where: str, public: list[str]) -> list[str]:
    """What is wrong with a cog file's imports from the core, each naming the public alternative."""
    bad = []
    for line, module, names in core_imports(source):
        hidden = [n for n in names if n not in public]
        if module == "bot":
            bad += [f"{where}:{line}: bot.{n} is not a public name (not in bot.__all__; if cogs need it, "
                    f"add it to bot/__init__.py)" for n in hidden]
        elif not names:
            bad.append(f"{where}:{line}: import {module} — a cog imports the core only as `from bot import ...`")
        elif not hidden:
            bad.append(f"{where}:{line}: from {module} import {', '.join(names)} — write "
                       f"`from bot import {', '.join(names)}`")
        else:
            bad.append(f"{where}:{line}: from {module} import {', '.join(names)} — a cog imports only `from bot "
                       f"import ...`; {', '.join(hidden)} is not in bot.__all__ (add it to bot/__init__.py "
                       f"if cogs need it, or keep it in the cog)")
    return bad


def test_cogs_import_the_core_only_from_bot_and_only_its_public_names() -> None:
    """What a cog may import is listed, not guessed: ``bot.__all__``. A cog never imports a
    ``bot.<module>``, so the core can move code between its modules without breaking a cog."""
    import bot

    assert [problem for path in cog_sources() for problem in
            sdk_problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), bot.__all__)] == []


def test_a_cog_importing_a_core_module_is_told_the_public_import() -> None:
    import bot

    source = ("from bot.models import Member\nfrom bot.storage import Database\nimport bot.when\n"
              "from bot import Cog, _private\n")
    assert sdk_problems(source, "cogs/_architecture_probe.py", bot.__all__) == [
        "cogs/_architecture_probe.py:1: from bot.models import Member — write `from bot import Member`",
        "cogs/_architecture_probe.py:2: from bot.storage import Database — a cog imports only `from bot import "
        "...`; Database is not in bot.__all__ (add it to bot/__init__.py if cogs need it, or keep it in the cog)",
        "cogs/_architecture_probe.py:3: import bot.when — a cog imports the core only as `from bot import ...`",
        "cogs/_architecture_probe.py:4: bot._private is not a public name (not in bot.__all__; if cogs need it, "
        "add it to bot/__init__.py)",
    ]


def test_every_public_name_is_importable_from_bot() -> None:
    import bot

    assert [n for n in bot.__all__ if not hasattr(bot, n)] == []
    assert len(bot.__all__) == len(set(bot.__all__))


def test_the_guide_shows_cogs_importing_only_from_bot() -> None:
    """docs/writing-a-cog.md's code imports the core as a cog must (its tests may use ``bot.testing``)."""
    import re

    guide = (ROOT / "docs" / "writing-a-cog.md").read_text(encoding="utf-8")
    found = re.findall(r"^\s*(?:from|import) (bot\.[\w.]+)", guide, flags=re.M)
    assert [m for m in found if not _within(m, ("bot.testing",))] == []


def test_the_ports_have_one_home() -> None:
    """``bot.ports`` is where the shared types live; the old ``bot/adapters/base.py`` is gone."""
    assert not (ROOT / "bot" / "adapters" / "base.py").exists()
    bad = [f"{p.relative_to(ROOT)} imports {name}" for folder in ("bot", "cogs", "tests", "bench", "demo")
           for p in sources(folder) for name in imports(p) if _within(name, ("bot.adapters.base",))]
    assert bad == []


def test_the_core_and_the_adapters_import_no_cog() -> None:
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in sources("bot") for name in imports(p)
           if _within(name, ("cogs",)) and "testing" not in p.parts]
    assert bad == []


def test_the_demo_is_a_driver_outside_the_core() -> None:
    """``python -m bot demo`` scripts every cog by name, so it lives in ``demo/``, not in ``bot/``;
    the core loads it by name only when asked (like a cog) and never imports it."""
    assert sorted(p.name for p in (ROOT / "bot").glob("demo*")) == []
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in sources("bot") for name in imports(p)
           if _within(name, ("demo",))]
    assert bad == []


def test_the_ports_depend_on_nothing_that_depends_on_them() -> None:
    names = imports(ROOT / "bot" / "ports.py")
    assert not [n for n in names if _within(n, ("bot.app", "bot.cog", "bot.context", "bot.config", "bot.adapters"))]


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph (depth-first search), or [] when there is none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_core_modules_form_no_import_cycle_at_load_time() -> None:
    graph: dict[str, set[str]] = {}
    for path in sources("bot"):
        mod = module_name(path)
        if ".testing." in mod:  # the test kit's fake servers are one unit
            continue
        graph[mod] = {n for n in imports(path, load_time_only=True)
                      if n.startswith("bot") and n != mod and not mod.startswith(n + ".")}
    assert find_cycle(graph) == []
