"""Split a content file into front matter and body, detecting the format. Pure.

Formats: YAML between `---` lines (Jekyll, Hugo, MkDocs), TOML between `+++` lines (Hugo, Zola),
JSON object at the top (Hugo), and Pelican's `Key: value` header block. Every error names the
file and the line in the file (not in the front matter), whatever the format.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import SiteError
from sitegen.text.yamlload import MAX_NESTING, TextDatesLoader, check_size, error_mark
from sitegen.text.yamlload import SafeLoader as _YAMLLoader


@dataclass
class FrontMatter:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line in the file where the body starts
    format: str  # "yaml" | "toml" | "json" | "pelican" | "none"
    key_lines: dict[str, int] = field(default_factory=dict)
    raw: str = ""  # the front matter's text, between its fences
    raw_line: int = 2  # the line in the file where `raw` starts

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key.lower())

    def repeated(self) -> list[tuple[str, int, int]]:
        """YAML keys given twice at the top (key, first line, last line): YAML keeps the last
        silently, as Jekyll and Hugo do, and a writer rarely means that. TOML refuses them."""
        if self.format != "yaml":
            return []
        pattern = re.compile(r"([A-Za-z_][\w -]*?)\s*:(\s|$)")
        first: dict[str, int] = {}
        out: list[tuple[str, int, int]] = []
        for offset, line in enumerate(self.raw.split("\n")):
            m = pattern.match(line)
            if m:
                key = m.group(1).strip()
                if key in first:
                    out.append((key, first[key], offset + self.raw_line))
                first.setdefault(key, offset + self.raw_line)
        return out


_PELICAN_KEYS = {
    "title",
    "date",
    "modified",
    "tags",
    "category",
    "slug",
    "author",
    "authors",
    "summary",
    "status",
    "lang",
    "translation",
    "save_as",
    "url",
    "template",
    "keywords",
    "description",
}


def split_front_matter(text: str, path: Path | str) -> FrontMatter:
    """The front matter and body of a content file's text. Windows (CRLF) and old Mac (lone
    CR) line endings become LF first: CommonMark reads all three as line breaks, so a file
    saved either way must not lose its front matter to the body."""
    text = text.removeprefix("\ufeff")
    if "\r" in text[:4096]:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0].rstrip()
    if first == "---" or (_OPENED_YAML.match(first) and _closed(text, "---")):
        return _fenced(text, "---", "yaml", path)
    if first == "+++" or (_OPENED_TOML.match(first) and _closed(text, "+++")):
        return _fenced(text, "+++", "toml", path)
    if re.match(
        r"\s*\{\s*(\"|\}[ \t]*(\n|$))", text[:200]
    ):  # `{"title": ...`, not `{{< shortcode >}}`
        return _json(text, path)
    m = re.match(r"^([A-Za-z][\w -]*):", first)
    if m and m.group(1).strip().lower() in _PELICAN_KEYS:
        return _pelican(text, path)
    return FrontMatter({}, text, 1, "none")


# the fence with the first key on its line (`---title: x`), which Hugo reads as front matter
_OPENED_YAML = re.compile(r"---[A-Za-z_][\w -]*:(\s|$)")
_OPENED_TOML = re.compile(r"\+\+\+[A-Za-z_][\w-]*\s*=")


def _closed(text: str, fence: str) -> bool:
    return any(line.rstrip() == fence for line in text.split("\n")[1:])


def _fenced(text: str, fence: str, fmt: str, path: Path | str) -> FrontMatter:
    lines = text.split("\n")
    for end in range(1, len(lines)):
        if lines[end].rstrip() == fence:
            break
    else:
        raise SiteError(
            f"front matter opened with '{fence}' on line 1 is never closed",
            path,
            1,
            f"add a line with just '{fence}' after the front matter",
        )
    head = lines[0].rstrip()[len(fence) :]  # the first key, on the fence's line
    raw = "\n".join([head, *lines[1:end]] if head else lines[1:end])
    body = "\n".join(lines[end + 1 :])
    try:
        meta = _parse_yaml(raw, path) if fmt == "yaml" else _parse_toml(raw, path)
    except SiteError as exc:
        if head and exc.line:  # the messages count from the line after the fence
            exc.line -= 1
        raise
    first = 1 if head else 2
    return FrontMatter(meta, body, end + 2, fmt, _key_lines(raw, first, fmt), raw, first)


def _key_lines(raw: str, first_line: int, fmt: str) -> dict[str, int]:
    pattern = (
        r"^\[?([A-Za-z_][\w-]*)\]?\s*(=|:|$)" if fmt == "toml" else r"^([A-Za-z_][\w -]*?)\s*:"
    )
    found: dict[str, int] = {}
    for offset, line in enumerate(raw.split("\n")):
        m = re.match(pattern, line)
        if m:
            found.setdefault(m.group(1).strip().lower(), first_line + offset)
    return found


def _parse_yaml(raw: str, path: Path | str) -> dict[str, Any]:
    # Depth is checked after loading (check_size): libyaml stops at 1000 levels itself, the
    # pure-Python loader with a RecursionError, and brackets or indentation in the text can
    # not be counted up front, as they may be inside a string (a title of `[[[[...`).
    try:
        data = yaml.load(raw, Loader=_YAMLLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = error_mark(exc, raw)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        lines = raw.split("\n")
        if "nesting depth" in problem:  # libyaml's own limit (1000 levels)
            raise SiteError(
                f"front matter is nested more than {MAX_NESTING} levels deep", path, 2
            ) from None
        tabbed = mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]
        raise SiteError(
            f"invalid YAML front matter: {problem}",
            path,
            mark.line + 2 if mark else 2,
            "indent with spaces: YAML does not allow tabs there"
            if tabbed
            else "quote values that contain ': ', '#' or start with a special character",
        ) from None
    except RecursionError:
        raise SiteError("front matter is nested too deeply", path, 2) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML could not construct
        try:
            data = yaml.load(raw, Loader=TextDatesLoader)  # noqa: S506 - a safe loader
        except Exception:  # noqa: BLE001 - not a date: say what YAML said
            raise SiteError(
                f"invalid value in YAML front matter: {exc}",
                path,
                2,
                "quote the value to keep it as text",
            ) from None
    return _check_mapping(data, path, "YAML")


def _check_mapping(data: Any, path: Path | str, fmt: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError(
            f"{fmt} front matter must be a mapping of keys to values, not a {type(data).__name__}",
            path,
            2,
            "write one 'key: value' per line",
        )
    check_size(data, "front matter", path, 2)
    return {str(k): v for k, v in data.items()}


def _parse_toml(raw: str, path: Path | str) -> dict[str, Any]:
    try:
        data = tomllib.loads(raw)
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise SiteError(
            f"front matter is nested more than {MAX_NESTING} levels deep", path, 2
        ) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        line = int(m.group(1)) + 1 if m else 2
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise SiteError(
            f"invalid TOML front matter: {message}",
            path,
            line,
            "TOML needs key = value, with text in quotes",
        ) from None
    return _check_mapping(data, path, "TOML")


def _json(text: str, path: Path | str) -> FrontMatter:
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    try:
        data, end = decoder.raw_decode(text, start)
    except RecursionError:
        raise SiteError(
            f"front matter is nested more than {MAX_NESTING} levels deep", path, 1
        ) from None
    except json.JSONDecodeError as exc:
        raise SiteError(
            f"invalid JSON front matter: {exc.msg}",
            path,
            exc.lineno,
            "JSON needs double-quoted keys and no trailing commas",
        ) from None
    meta = _check_mapping(data, path, "JSON")
    consumed = text[:end]
    body_line = consumed.count("\n") + 2
    body = text[end:].removeprefix("\n")
    lines = {}
    for key in meta:
        pos = consumed.find(f'"{key}"')
        if pos >= 0:
            lines[key.lower()] = consumed.count("\n", 0, pos) + 1
    return FrontMatter(meta, body, body_line, "json", lines)


def _pelican(text: str, path: Path | str) -> FrontMatter:
    """Pelican/python-markdown metadata: `Key: value` lines, indented continuation lines."""
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    key = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        m = re.match(r"^([A-Za-z][\w -]*):\s*(.*)$", line)
        if m:
            key = m.group(1).strip().lower().replace(" ", "_")
            meta[key] = m.group(2).strip()
            key_lines[key] = index + 1
        elif key and line[:1] in (" ", "\t"):
            meta[key] = (meta[key] + " " + line.strip()).strip()
        else:
            break
    else:
        index = len(lines)
    rest = lines[index:]
    skip = 0
    while skip < len(rest) and not rest[skip].strip():
        skip += 1
    body = "\n".join(rest[skip:])
    body_line = index + skip + 1
    return FrontMatter(meta, body, body_line, "pelican", key_lines)
