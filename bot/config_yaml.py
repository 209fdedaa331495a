"""Reading schedules.yaml as YAML: the node tree (for FILE:LINE:COL), plain-word syntax errors,
refused duplicate keys, and dates left as text so that pydantic (not PyYAML) judges them.

PyYAML turns ``start: 2027-02-30`` into a ``ValueError`` from ``datetime.date`` (a traceback,
not a YAMLError), silently keeps the last of two ``order:`` keys, and reports bad indentation
as "expected <block end>, but found '<block mapping start>'". This module fixes all three.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type: dates stay strings (pydantic parses them,
    and a date that is not on the calendar becomes a located error instead of a crash)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}



def _lenient(construct: Any) -> Any:
    """A scalar constructor that gives the text back when PyYAML would raise a plain
    ValueError or KeyError (``!!int abc``, ``!!bool 0``): pydantic then reports it, located."""
    def build(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, OverflowError, KeyError):
            return loader.construct_scalar(node)  # type: ignore[arg-type]
    return build


_Loader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)
for _tag in ("int", "float", "bool"):
    _Loader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"] = _lenient(yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"])
_Loader.yaml_constructors["tag:yaml.org,2002:timestamp"] = _lenient(lambda loader, node: loader.construct_scalar(node))

# PyYAML's problem texts -> what to do about them (first match wins; checked as substrings).
_PLAIN = [
    ("mapping values are not allowed", 'a "key: value" is not expected here — check this line\'s indentation, '
                                       'or put the value in quotes if it contains ": "'),
    ("expected <block end>", "this line is not indented like the lines above it — keys of the same level "
                             "must start in the same column"),
    ("expected <block sequence", 'this line is not indented like the list above it — every "- " item of a '
                                 "list must start in the same column"),
    ("could not find expected ':'", 'expected "key: value" — a ":" is missing, or a quote is not closed'),
    ("found character '\\t'", "a tab character — indent with spaces in YAML"),
    ("found unexpected end of stream", "the file ends inside a quoted text — a quote is not closed"),
    ("found unknown escape character", 'an unknown \\ escape in double quotes — use single quotes, or write \\\\'),
    ("expected ',' or ']'", 'a [list] is not closed — add "]" (or quote a value that contains "," or "]")'),
    ("expected ',' or '}'", 'a {mapping} is not closed — add "}" (or quote a value that contains "," or "}")'),
    ("found undefined alias", "an alias (*name) used before its anchor (&name) was defined"),
    ("found character '@'", 'a value cannot start with "@" or "`" — put it in quotes'),
    ("found character '`'", 'a value cannot start with "@" or "`" — put it in quotes'),
    ("while parsing a flow node", "a value is missing here"),
    ("expected the node content", "a value is missing here — or a [list] or {mapping} is not closed"),
    ("could not determine a constructor", "tags such as !!python/... are not allowed — write plain values"),
    ("found unhashable key", "a key must be a plain word or number, not a [list] or {mapping}"),
    ("expected a single document", "only one document per file — remove the second ---"),
    ("but found another document", "only one document per file — remove the second ---"),
    ("expected <document start>", "this line cannot start here — is it indented too little?"),
    ("expected alphabetic or numeric character", "& and * start an anchor or alias — put values starting "
                                                 "with & or * in quotes"),
    ("found duplicate anchor", "the same &anchor is defined twice"),
]


def compose(text: str, path: Path) -> tuple[yaml.Node | None, Any, list[tuple[int, int, str]]]:
    """The node tree, the plain data and the duplicate keys found (line, column, message);
    ConfigError in plain words when the text is not YAML at all."""
    loader = None
    try:
        loader = _Loader(text)  # reads ahead: a control character is refused right here
        root = loader.get_single_node()
        problems = duplicate_keys(root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as error:
        before = text[:error.position]
        where = f"{path}:{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"
        raise ConfigError([f"{where}: invalid YAML: a control character (#x{error.character:02x}) — "
                           "remove it, or write it as an escape in double quotes"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError([f"{where}: invalid YAML: {plain_yaml_problem(error)}"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return root, data, problems


def plain_yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    for needle, words in _PLAIN:
        if needle in problem:
            return words
    return problem


def duplicate_keys(root: yaml.Node | None) -> list[tuple[int, int, str]]:
    """Every key written twice in the same mapping (YAML would silently keep the last one),
    as (line, column, message)."""
    found: list[tuple[int, int, str]] = []
    stack = [root] if root is not None else []
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # aliases share nodes
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name != "<<" and name in first:
                    line = first[name].start_mark.line + 1
                    found.append((key.start_mark.line + 1, key.start_mark.column + 1,
                                  f'"{name}" is given twice here (first at line {line}) — keep one'))
                elif name is not None:
                    first[name] = key
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found)


class Marks:
    """Finds the line/column of a location (key path) in the YAML node tree."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def find(self, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        node = self.root
        last_key_node = None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == str(part)), None)
                if found is None:
                    break
                last_key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                last_key_node, node = None, node.value[part]
            else:
                break
        target = last_key_node if key and last_key_node is not None else node
        if target is None:
            return 1, 1
        return target.start_mark.line + 1, target.start_mark.column + 1
