"""The import directions the design promises: adapters -> core <- cogs, checked on the source.

A cog imports the core only through ``bot``'s SDK (never the app, the adapters, storage or the
test kit) and no platform library; the core imports no cog; the adapters import no cog; the
core's ports depend on no app, cog, context, config or adapter module; and the core's modules
form no import cycle at load time.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBS = ("discord", "slack_bolt", "slack_sdk", "aiohttp")
CORE_INTERNALS = ("bot.app", "bot.adapters", "bot.testing", "bot.cli", "bot.storage", "bot.scheduler",
                  "bot.dispatch", "bot.builtin", "bot.privacy_cog", "demo")
# The core modules a cog may import from besides ``bot`` itself (docs/writing-a-cog.md, "The SDK").
SDK_MODULES = ("bot.models", "bot.content", "bot.errors", "bot.events", "bot.context", "bot.options",
               "bot.config", "bot.when", "bot.timeparse", "bot.csvexport", "bot.live", "bot.wording")


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


def test_cogs_import_only_the_sdk_and_no_platform_library() -> None:
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in cog_sources() for name in imports(p)
           if _within(name, CORE_INTERNALS + PLATFORM_LIBS)]
    assert bad == []


def cog_sources() -> list[Path]:
    """The built-in cogs and the sample cog a new author copies (its own tests may use bot.testing)."""
    sample = [p for p in sources("tests/fixtures/til") if not p.name.startswith("test_")]
    return sources("cogs") + sample


def sdk_imports(path: Path) -> list[tuple[str, str]]:
    """``(module, name)`` for every name a file takes from the core (``import bot.x`` gives name "")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if _within(a.name, ("bot",))]
        elif isinstance(node, ast.ImportFrom) and not node.level and _within(node.module or "", ("bot",)):
            found += [(node.module, a.name) for a in node.names]
    return found


def test_cogs_take_only_public_names_from_the_sdk_modules() -> None:
    """What a cog may import is listed, not guessed: ``bot``'s ``__all__`` and the public names of
    the SDK modules docs/writing-a-cog.md names (``SDK_MODULES``); never a private name."""
    import importlib

    import bot

    bad = []
    for path in cog_sources():
        for module, name in sdk_imports(path):
            where = f"{path.relative_to(ROOT)}: {module}.{name or '*'}"
            if module == "bot":
                if name not in bot.__all__:
                    bad.append(where + " (not in bot.__all__)")
            elif module not in SDK_MODULES:
                bad.append(where + " (not an SDK module)")
            elif not name or name.startswith("_"):
                bad.append(where + " (not a public name)")
            else:
                public = getattr(importlib.import_module(module), "__all__", None)
                if public is not None and name not in public:
                    bad.append(where + " (not in its __all__)")
    assert bad == []


def test_the_sdk_modules_are_the_ones_the_guide_names() -> None:
    guide = (ROOT / "docs" / "writing-a-cog.md").read_text(encoding="utf-8")
    assert [m for m in SDK_MODULES if f"`{m}`" not in guide] == []


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
