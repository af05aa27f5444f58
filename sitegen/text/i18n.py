"""Words and formats per language: the theme's message files and CLDR (Babel) formatting.

The lowest layer of the pipeline that knows about languages: `plan` uses it for page titles,
`templates` exposes it as `t()` and the `number` filter. Message files are YAML mappings of
key -> text, `i18n/<code>.yaml` in the theme, overridden key by key by the site's own
`i18n/<code>.yaml`. A text may hold `{name}` fields; a mapping of CLDR plural categories
(`one`, `few`, `other`...) picks its form by the `count` field, with that language's rules.
Dates and numbers are never formatted by hand: Babel carries the CLDR data for every language.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import SiteError
from sitegen.text.yamlload import SafeLoader, check_size, yaml_error

FALLBACK = "en"
CLDR_DATE_FORMATS = ("short", "medium", "long", "full")


@functools.lru_cache(maxsize=256)
def babel_locale(code: str):  # -> babel.Locale
    """The Babel locale for a language code (`pt-br` -> pt_BR); English when CLDR lacks it."""
    from babel import Locale, UnknownLocaleError

    for candidate in (code.replace("-", "_"), code.split("-")[0], FALLBACK):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(FALLBACK)


def format_date(value: dt.datetime, lang: str, date_format: str) -> str:
    """A date for readers of `lang`. `date_format` is a CLDR length (`short`, `medium`, `long`,
    `full`), a CLDR pattern (`d MMM y`), or a strftime pattern (anything holding `%`), which is
    used as written (its month and day names are then English)."""
    if "%" in date_format:
        return value.strftime(date_format)
    return _cldr_date(value.date(), lang, date_format)


@functools.lru_cache(maxsize=1 << 15)
def _cldr_date(day: dt.date, lang: str, date_format: str) -> str:
    """Cached: Babel takes ~20 µs a date. Thirty years of a daily's archive are 11,000 days,
    which a smaller cache would forget and format again and again (each listing view and
    search document shows its article's day)."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, date_format, locale=babel_locale(lang))


def month_label(year: int, month: int, lang: str) -> str:
    """`February 2017`, `febrer del 2017`, `2017年2月`: a month heading in `lang`."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=babel_locale(lang))


def month_name(month: int, lang: str) -> str:
    return babel_locale(lang).months["stand-alone"]["wide"][month]


# pages show the same few counts and minutes again and again, and listings their page numbers:
# a 100,000-article site's index alone has 10,000 pages, which a smaller cache forgot
@functools.lru_cache(maxsize=1 << 16)
def format_number(value: int | float, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(lang))


class _Fields(dict):
    """str.format_map values: a missing field stays as written instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Messages:
    """The message catalogues of one theme and site: `folders` are searched in order, later
    ones overriding earlier ones key by key (the theme's i18n/ first, then the site's)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [f for f in folders if f.is_dir()]
        self._catalogs: dict[str, dict[str, Any]] = {}
        self._done: dict[tuple, str] = {}  # pages ask for the same few words again and again

    def fingerprint(self) -> str:
        """Names and bytes of every message file, for page fingerprints."""
        import hashlib

        h = hashlib.sha1()
        for folder in self.folders:
            for path in sorted(folder.glob("*.yaml")):
                h.update(path.name.encode() + path.read_bytes())
        return h.hexdigest()

    def _read(self, path: Path) -> dict[str, Any]:
        try:
            data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=SafeLoader)  # noqa: S506
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            hint = "write one 'key: text' line per message"
            raise yaml_error(exc, path, "cannot read message file", hint) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise SiteError("expected a mapping of keys to texts", path, 1)
        check_size(data, "the message file", path)
        return {str(k): v for k, v in data.items()}

    def catalog(self, lang: str) -> dict[str, Any]:
        """Every message for `lang`: English, then the base language, then the full code."""
        lang = lang.lower()
        if lang not in self._catalogs:
            chain = [FALLBACK]
            base = lang.split("-")[0]
            chain += [c for c in (base, lang) if c not in chain]
            merged: dict[str, Any] = {}
            for code in chain:
                for folder in self.folders:
                    path = folder / f"{code}.yaml"
                    if path.is_file():
                        merged.update(self._read(path))
            self._catalogs[lang] = merged
        return self._catalogs[lang]

    def frozen(self, langs: set[str]) -> Messages:
        """A copy holding the catalogues of `langs` in memory, reading no file: for workers on
        other machines, which have no theme or site folder."""
        copy = Messages([])
        copy._catalogs = {lang.lower(): self.catalog(lang) for lang in langs}
        return copy

    def forms(self, lang: str, key: str) -> dict[str, str]:
        """The message `key` in `lang` unfilled, by CLDR plural category (`other` for a text
        without forms): for scripts that fill it in the browser (the search page's status)."""
        text = self.catalog(lang)[key]
        if isinstance(text, dict):
            return {str(k): str(v) for k, v in text.items()}
        return {"other": str(text)}

    def has(self, lang: str, key: str) -> bool:
        return key in self.catalog(lang)

    def get(self, lang: str, key: str, **values: Any) -> str:
        """The message `key` in `lang` with its fields filled in (numbers formatted for `lang`).
        KeyError when no catalogue has it. Remembered when the fields are numbers alone (a
        count, minutes): a text field (a listing's title with its page number) is seldom
        asked for twice, and remembering each would grow with the site."""
        if not all(type(v) is int for v in values.values()):
            return self._format(lang, key, values)
        memo = (lang, key, *sorted(values.items()))
        done = self._done.get(memo)
        if done is None:
            self._done[memo] = done = self._format(lang, key, values)
        return done

    def _format(self, lang: str, key: str, values: dict[str, Any]) -> str:
        text = self.catalog(lang)[key]
        if isinstance(text, dict):
            count = values.get("count", 0)
            form = babel_locale(lang).plural_form(count) if isinstance(count, int | float) else ""
            text = text.get(form, text.get("other", ""))
        text = str(text)
        if "{" not in text:
            return text
        shown = _Fields(
            {
                k: format_number(v, lang)
                if isinstance(v, int | float) and not isinstance(v, bool)
                else v
                for k, v in values.items()
            }
        )
        try:  # format_map, not string.Formatter: the same fields, done in C (10x faster)
            return text.format_map(shown)
        except (ValueError, IndexError):
            return text


_PLURAL_FORMS = frozenset(("zero", "one", "two", "few", "many", "other"))
# what YAML reads a plain word as, when not text: `No`, `off`, `~` (a number shows as written)
_NOT_TEXT_TAGS = {
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "nothing",
}


def _fields(text: str) -> set[str] | None:
    """The `{name}` fields of a message; None when its braces do not pair."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return None


def message_problems(path: Path, known: dict[str, Any]) -> list[SiteError]:
    """What in the message file at `path` would show wrongly, at its line: a value that is no
    text nor a mapping of plural forms to texts (a list showed as `['a']`), braces that do not
    pair, and a `{field}` the English text of a key in `known` (the theme's) does not have,
    which no page fills: it showed as written, `Archive {nope}`."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=SafeLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # reading the file reports these (`Messages._read`)
    if not isinstance(root, yaml.MappingNode):
        return []
    problems = []
    for key_node, value_node in root.value:
        key, line = str(key_node.value), key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            texts = [value_node.value]
            if value_node.tag in _NOT_TEXT_TAGS:  # `No` is read as false, and shown as False
                problems.append(
                    SiteError(
                        f"message '{key}': {value_node.value} is read as "
                        f"{_NOT_TEXT_TAGS[value_node.tag]}, not as text",
                        path,
                        line,
                        f'quote it: {key}: "{value_node.value}"',
                    )
                )
                continue
        elif isinstance(value_node, yaml.MappingNode) and all(
            isinstance(k, yaml.ScalarNode)
            and k.value in _PLURAL_FORMS
            and isinstance(v, yaml.ScalarNode)
            for k, v in value_node.value
        ):
            texts = [v.value for _, v in value_node.value]
        else:
            problems.append(
                SiteError(
                    f"message '{key}' is neither a text nor plural forms of one",
                    path,
                    line,
                    "write key: text, or key: {one: ..., other: ...}",
                )
            )
            continue
        english = known.get(key)
        allowed = None
        if english is not None:
            allowed = set()
            for text in english.values() if isinstance(english, dict) else [english]:
                allowed |= _fields(str(text)) or set()
        for text in texts:
            fields = _fields(text)
            if fields is None:
                problems.append(
                    SiteError(
                        f"message '{key}': braces that do not pair",
                        path,
                        line,
                        "write {{ and }} for a brace shown as it is",
                    )
                )
            elif allowed is not None and fields - allowed:
                unknown = ", ".join(f"{{{name}}}" for name in sorted(fields - allowed))
                given = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
                problems.append(
                    SiteError(
                        f"message '{key}': {unknown} is filled by no page and shows as written",
                        path,
                        line,
                        f"the fields of this message: {given}",
                    )
                )
                break
    return problems
