"""Reading other generators' configuration files: TOML, YAML, JSON and Pelican's Python.

Part of `sitegen migrate` (ingest stage). Every failure is a SiteError naming the file and,
where the parser gives one, the line: a person moving a site sees which file to fix, never a
traceback. `pelicanconf.py` is read with `ast`: only literal assignments count, and nothing in
it is ever executed or imported.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import SiteError
from sitegen.text.yamlload import check_size, yaml_error


@dataclass
class ConfigFile:
    """One configuration file as read: its values, and what could not be read in it."""

    path: Path
    values: dict[str, Any]
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, name, why)


def read_text(path: Path) -> str:
    """A source file's text; unreadable, an error naming it (never a traceback)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteError(
            f"not valid UTF-8: byte at offset {exc.start}", path, hint="save it as UTF-8"
        ) from None
    except OSError as exc:
        raise SiteError(f"cannot read: {exc.strerror}", path) from None


def _mapping(data: Any, path: Path, kind: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError(f"expected a {kind} mapping of settings at the top", path, 1)
    return data


def read_toml(path: Path) -> ConfigFile:
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise SiteError(
            f"invalid TOML: {message}",
            path,
            int(m.group(1)) if m else None,
            "TOML needs key = value, with text in quotes",
        ) from None
    return ConfigFile(path, _mapping(data, path, "TOML"))


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads tags it does not know (`!!python/name:...`, `!ENV`,
    `!relative` in mkdocs.yml) as their plain value instead of failing or running them."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _unknown_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)


def read_yaml(path: Path) -> ConfigFile:
    try:
        data = yaml.load(read_text(path), Loader=_TolerantLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        hint = "check the indentation, and quote values holding ': '"
        raise yaml_error(exc, path, "invalid YAML", hint) from None
    check_size(data, "the settings file", path)
    return ConfigFile(path, _mapping(data, path, "YAML"))


def read_json(path: Path) -> ConfigFile:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SiteError(
            f"invalid JSON: {exc.msg}",
            path,
            exc.lineno,
            "JSON needs double-quoted keys and no trailing commas",
        ) from None
    return ConfigFile(path, _mapping(data, path, "JSON"))


def read_any(path: Path) -> ConfigFile:
    """A .toml, .yaml/.yml or .json file, by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return read_toml(path)
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if suffix == ".json":
        return read_json(path)
    raise SiteError("unknown configuration format", path, hint="expected .toml, .yaml or .json")


def read_python_settings(path: Path) -> ConfigFile:
    """Pelican's settings module, parsed and never run: top-level `NAME = literal` assignments
    are read; anything else (imports, calls, names computed from others) is listed as skipped
    so the report can say which settings were not carried over."""
    text = read_text(path)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise SiteError(
            f"invalid Python: {exc.msg}", path, exc.lineno, "the file must be valid Python"
        ) from None
    values: dict[str, Any] = {}
    skipped: list[tuple[int, str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            skipped.append((node.lineno, ast.unparse(node), "an import: not run"))
            continue
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        else:
            skipped.append((node.lineno, ast.unparse(node).split("\n")[0], "code: not run"))
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) != len(targets):
            skipped.append((node.lineno, ast.unparse(node).split("\n")[0], "code: not run"))
            continue
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            for name in names:
                skipped.append((node.lineno, name, "not a literal value: not run"))
            continue
        for name in names:
            values[name] = literal
    return ConfigFile(path, values, skipped)
