"""Literal values read out of JavaScript and TypeScript source text, which is never run.

Part of `sitegen migrate` (ingest stage), for astro.py: an Astro site keeps its settings in
`astro.config.mjs` and its collections in `content.config.ts`, code only Node can run, and
running a site's code to read a few settings would run whatever else it does. So the text is
read instead: comments are blanked, an object is found by its balanced brackets (strings
skipped), and a value counts only when it is a literal (a string, number, boolean, or a list
of them), or a template or name made of the same file's string constants, or the literal an
environment variable falls back on (`process.env.SITE || "https://..."`). Anything else is
`Code`, which the report names as not read. Also here: glob patterns as regular expressions,
and dates written as JavaScript's `Date` reads them. Pure.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Any

_OPEN = {"(": ")", "[": "]", "{": "}"}
_QUOTES = "'\"`"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


@dataclass(frozen=True)
class Code:
    """A value that is code (a call, a variable, a computed template): not read."""

    text: str


@dataclass(frozen=True)
class Obj:
    """An object literal, as its inner text: `value()` reads its keys."""

    text: str


def string_end(text: str, start: int) -> int:
    """The index after the string literal opening at `start` (its end of line, if unclosed)."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if c == "\n" and quote != "`":
            return i
        i += 1
    return len(text)


def _regex_end(text: str, start: int) -> int:
    """The index after the regular expression literal opening at `start` (`/href="(.*)"/g`),
    or -1 when the slash there divides instead."""
    j = start - 1
    while j >= 0 and text[j] in " \t\r\n":
        j -= 1
    after_return = text[max(j - 5, 0) : j + 1] == "return" and not text[j - 6 : j - 5].isalnum()
    if j >= 0 and text[j] not in "(,=:[!&|?{};" and not after_return:
        return -1  # after a value (`a / b`, `f(x) / 2`): a division
    i, in_class = start + 1, False
    while i < len(text) and text[i] != "\n":
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[" or c == "]":
            in_class = c == "["
        elif c == "/" and not in_class:
            return i + 1
        i += 1
    return -1


def strip_comments(text: str) -> str:
    """`text` with `//` and `/* */` comments blanked (their line ends kept), so a commented-out
    `// site: '...'` is not read as a setting; `//` inside a string (a URL) stays. The insides
    of regular expression literals are blanked too: their quotes and brackets
    (`/href="([^"]+)"/`) are no strings or objects, and would throw the bracket depth of all
    that follows."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in _QUOTES:
            end = string_end(text, i)
            out.append(text[i:end])
            i = end
        elif c == "/" and not text.startswith(("//", "/*"), i) and (end := _regex_end(text, i)) > 0:
            out.append("/" + " " * (end - i - 2) + "/")
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching(text: str, start: int) -> int:
    """The index after the bracket that closes the one at `start` (strings skipped); -1 when
    it is never closed."""
    stack = [_OPEN[text[start]]]
    i = start + 1
    while i < len(text):
        c = text[i]
        if c in _QUOTES:
            i = string_end(text, i)
            continue
        if c in _OPEN:
            stack.append(_OPEN[c])
        elif c in ")]}":
            if c != stack.pop():
                return -1
            if not stack:
                return i + 1
        i += 1
    return -1


def _depths(text: str) -> list[int]:
    """The bracket depth of each character of `text`; -1 for those inside a string (its
    opening quote has the depth it is at, so a quoted key is found where it stands)."""
    depths = [0] * len(text)
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in _QUOTES:
            end = string_end(text, i)
            depths[i:end] = [depth] + [-1] * (end - i - 1)
            i = end
            continue
        if c in ")]}":
            depth = max(depth - 1, 0)
        depths[i] = depth
        if c in _OPEN:
            depth += 1
        i += 1
    return depths


def split_top(text: str) -> list[str]:
    """The items of an array's or object's inner text: split at its top-level commas."""
    depths = _depths(text)
    items: list[str] = []
    start = 0
    for i, c in enumerate(text):
        if c == "," and depths[i] == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def config_object(text: str) -> str | None:
    """The inner text of the object an Astro configuration exports: `defineConfig({...})` or
    `export default {...}`; None when it exports something else (a variable, a function)."""
    for pattern in (
        r"\bdefineConfig\s*\(\s*\{",
        r"\bexport\s+default\s*\{",
        r"module\.exports\s*=\s*\{",
    ):
        m = re.search(pattern, text)
        if m:
            end = matching(text, m.end() - 1)
            if end > 0:
                return text[m.end() : end - 1]
    return None


def _key_at(text: str, key: str) -> int | None:
    """Where the value of `key` starts in an object's (or a module's) top level."""
    depths = None
    name = re.escape(key)
    for m in re.finditer(rf"(?<![\w$.])(?:['\"]{name}['\"]|{name})\s*:", text):
        if depths is None:
            depths = _depths(text)
        if depths[m.start()] == 0:
            return m.end()
    return None


def shallowest_key(text: str, key: str) -> tuple[int, int] | None:
    """(where `key:` starts, where its value starts) for the one at the smallest bracket depth
    of `text`, the first of those; None when absent. In a configuration function that is the
    object it returns, not one a helper inside it builds (and may never run)."""
    depths = None
    best: tuple[int, int, int] | None = None
    name = re.escape(key)
    for m in re.finditer(rf"(?<![\w$.])(?:['\"]{name}['\"]|{name})\s*:", text):
        if depths is None:
            depths = _depths(text)
        depth = depths[m.start()]
        if depth >= 0 and (best is None or depth < best[0]):
            best = (depth, m.start(), m.end())
    return best[1:] if best else None


def constants(text: str) -> dict[str, str]:
    """A module's top-level string constants (`const BLOG_PATH = "src/data/blog"`), which
    templates and other values of the same file may name."""
    found: dict[str, str] = {}
    for m in re.finditer(
        r"(?m)^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=", text
    ):
        value = literal_at(text, m.end(), found)
        if isinstance(value, str):
            found[m.group(1)] = value
    return found


def value(text: str, key: str, names: dict[str, str] | None = None) -> Any:
    """The value of `key` in an object's inner text: a literal, an `Obj`, `Code`, or None when
    the key is absent."""
    start = _key_at(text, key)
    return None if start is None else literal_at(text, start, names or {})


def literal_at(text: str, start: int, names: dict[str, str]) -> Any:
    """The literal value starting at `start` (after white space): see `value`."""
    i = start
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if i >= len(text):
        return Code("")
    c = text[i]
    if c in "'\"":
        end = string_end(text, i)
        return _unescape(text[i + 1 : end - 1])
    if c == "`":
        end = string_end(text, i)
        return _template(text[i + 1 : end - 1], names)
    if c == "[":
        end = matching(text, i)
        if end < 0:
            return Code(text[i:])
        items = [literal_at(item, 0, names) for item in split_top(text[i + 1 : end - 1])]
        if any(isinstance(item, Code) for item in items):
            return Code(text[i:end])
        return items
    if c == "{":
        end = matching(text, i)
        return Obj(text[i + 1 : end - 1]) if end > 0 else Code(text[i:])
    m = re.match(r"(-?\d+(?:\.\d+)?)\s*(?=[,}\]\n;]|$)", text[i:])
    if m:
        number = m.group(1)
        return float(number) if "." in number else int(number)
    m = re.match(r"(true|false|null|undefined)\b", text[i:])
    if m:
        return {"true": True, "false": False}.get(m.group(1))
    m = re.match(r"([A-Za-z_$][\w$]*)\s*(?=[,}\]\n;]|$)", text[i:])
    if m and m.group(1) in names:
        return names[m.group(1)]
    fallback = _env_fallback(text, i, names)
    if fallback is not None:
        return fallback[1]
    end = i
    depths = _depths(text[i:])
    while end < len(text) and not (text[end] in ",}]\n;" and depths[end - i] == 0):
        end += 1
    return Code(text[i:end].strip())


# `process.env.SITE_URL ||` (or `??`, `import.meta.env.X`, `process.env["X"]`): a value the
# build took from its environment, with a literal to fall back on
_ENV_OR = re.compile(
    r"(?:process\.env|import\.meta\.env)"
    r"(?:\.([A-Za-z_$][\w$]*)|\[\s*['\"]([\w$]+)['\"]\s*\])\s*(?:\|\||\?\?)\s*"
)


def _env_fallback(text: str, start: int, names: dict[str, str]) -> tuple[str, str] | None:
    """(variable, literal) for `process.env.X || "literal"` starting at `start`: the value the
    old site had wherever X was not set (a local build; the deploy sets it). None when the
    expression is something else or goes on after the literal."""
    m = _ENV_OR.match(text, start)
    if not m or m.end() >= len(text) or text[m.end()] not in _QUOTES:
        return None
    end = string_end(text, m.end())
    if not re.match(r"\s*(?:[,}\]\n;)]|$)", text[end:]):
        return None  # `process.env.X || "a" + b`: code
    found = literal_at(text[:end], m.end(), names)
    return (m.group(1) or m.group(2), found) if isinstance(found, str) else None


def env_fallback_of(text: str, key: str, names: dict[str, str] | None = None) -> str | None:
    """The environment variable whose fallback literal `value(text, key)` read; None when the
    value is written out (or is code), so the report can say where a setting came from."""
    start = _key_at(text, key)
    if start is None:
        return None
    while start < len(text) and text[start] in " \t\r\n":
        start += 1
    found = _env_fallback(text, start, names or {})
    return found[0] if found else None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text, flags=re.S)


def _template(text: str, names: dict[str, str]) -> str | Code:
    """A template literal, its `${NAME}` parts filled in from the file's string constants."""
    unknown = False

    def part(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(1) in names:
            return names[m.group(1)]
        unknown = True
        return m.group(0)

    out = re.sub(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}", part, text)
    return Code(f"`{text}`") if unknown or "${" in out else _unescape(out)


def _glob_part(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{" and "}" in pattern[i:]:
            end = pattern.index("}", i)
            alternatives = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_glob_part(a) for a in alternatives) + ")")
            i = end + 1
            continue
        elif c == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            inner = pattern[i + 1 : end]
            negate = inner[:1] in ("!", "^")
            inner = inner[1:] if negate else inner
            out.append("[" + ("^" if negate else "") + inner.replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob (`**/*.{md,mdx}`, `**/[^_]*.md`), as the glob loader reads it, as a regular
    expression matched against a whole path relative to the loader's base."""
    return re.compile(_glob_part(pattern.removeprefix("./")) + r"\Z")


_DATE_FORMATS = (
    "%b %d %Y",  # Jul 08 2022, the Astro blog starter's
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%a %b %d %Y",  # Fri Jul 08 2022: what Date's toString() writes
    "%a, %d %b %Y",
    "%Y/%m/%d",
    "%m/%d/%Y",  # JavaScript reads 07/08/2022 as July 8
    "%Y-%m-%d",
)
_TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S")


def js_date(text: str) -> dt.date | dt.datetime | None:
    """A date written as JavaScript's `new Date(text)` reads it (what Astro's `z.coerce.date()`
    does with front matter text): ISO 8601, `Jul 08 2022`, `July 8, 2022`, `2022/07/08`, RFC
    2822; a `date` when no time is given; None when it is none of these."""
    text = text.strip()
    if not text:
        return None
    iso = re.sub(r"Z$", "+00:00", text)
    try:
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        pass
    else:
        return parsed.date() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else parsed
    if re.search(r"\d:\d\d", text) and "," in text:  # RFC 2822: Fri, 08 Jul 2022 10:00 GMT
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    utc = re.search(r"\s*(?:GMT|UTC|Z)$", text)
    bare = text[: utc.start()] if utc else text
    for date_format in _DATE_FORMATS:
        for time_format in _TIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(bare, date_format + time_format)
            except ValueError:
                continue
            if not time_format:
                return parsed.date()
            return parsed.replace(tzinfo=dt.UTC) if utc else parsed
    return None
