"""One Eleventy post as it moves: its old address, its tags, and its body's template code.

Part of `sitegen migrate` (ingest stage), for eleventy.py, which finds the posts and reads the
site's data. Pure, per file:

- the address Eleventy gave it: its path below the input folder as a folder (`blog/post.md`
  -> `/blog/post/`, `index.md` -> its folder, `blog/x/x.md` -> `/blog/x/`), or its
  `permalink`, whose template code is worked out for the common forms only (`page.fileSlug`,
  `page.filePathStem`, `title | slugify`, `page.date | date: "%Y"`); anything else leaves the
  old address unknown, which the report says;
- its tags without the names that only put it into a collection (`posts`);
- the shortcodes and data sitegen can stand in for: eleventy-img's `{% image "x.jpg", "alt" %}`
  becomes a Markdown image, `{{ metadata.title }}` the value of the global data file,
  `{# comments #}` of Nunjucks go; each is listed as a construct not run. Lines are kept one
  for one, so every line the report names is the source file's. The rest of the template
  code is content/foreign.py's at load time, like Jekyll's Liquid.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.ingest.migrate.jsliterals import (
    Code,
    Obj,
    literal_at,
    matching,
    split_top,
    strip_comments,
)
from sitegen.ingest.migrate.plan import clean_url
from sitegen.text.bodyscan import code_spans, in_spans

Found = tuple[int, str, str]  # (line, construct, what the page shows instead)

COLLECTION_TAGS = {"posts", "post", "all"}
_DATE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-|$)")
_OUTPUT = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_IMAGE = re.compile(r"\{%-?\s*image\s+((?:[^%]|%(?!\}))*?)\s*-?%\}")
_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'")
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_SIGN_WORDS = {"&": "and", "$": "dollar", "%": "percent", "<": "less", ">": "greater", "|": "or"}
_DATA_OUTPUT = re.compile(r"\{\{-?\s*([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\s*-?\}\}")


def _stem_and_folder(rel: str) -> tuple[str, str]:
    folder, _, name = rel.rpartition("/")
    return name.rsplit(".", 1)[0], folder


def file_slug(rel: str) -> str:
    """`page.fileSlug` of a file at `rel` below the input folder: its name without extension
    and date (`2023-01-10-post.md` -> `post`), for `index.md` its folder's name."""
    stem, folder = _stem_and_folder(rel)
    if stem == "index":
        stem = folder.rsplit("/", 1)[-1]
    stripped = _DATE_NAME.sub("", stem)
    return stripped or stem


def file_path_stem(rel: str) -> str:
    """`page.filePathStem`: `/blog/post` for `blog/post.md`."""
    return "/" + rel.rsplit(".", 1)[0]


def name_date(rel: str) -> dt.datetime | None:
    """The date a `YYYY-MM-DD-` file name (or an `index.md`'s folder) gives, in UTC."""
    stem, folder = _stem_and_folder(rel)
    if stem == "index":
        stem = folder.rsplit("/", 1)[-1]
    m = _DATE_NAME.match(stem)
    if not m:
        return None
    try:
        return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=dt.UTC)
    except ValueError:
        return None


def default_url(rel: str) -> str:
    """Eleventy's address for a template at `rel` without a `permalink`."""
    stem, folder = _stem_and_folder(rel)
    parts = [p for p in folder.split("/") if p]
    if stem != "index" and not (parts and parts[-1] == stem):
        parts.append(stem)
    return clean_url("/" + "/".join(parts) + "/")


def eleventy_slugify(text: str) -> str:
    """Eleventy's `slugify` filter: letters made ASCII, camel case split, `&` as `and`, lower
    case, every run of other characters one `-` (`Hello, World!` -> `hello-world`)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.replace("&", " and ")
    text = re.sub(r"([a-z\d])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z\d]+)", r"\1 \2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def eleventy_slug(text: str) -> str:
    """Eleventy's older `slug` filter: a few signs as words (`&` as `and`), lower case, spaces
    as `-`, a few marks removed, other punctuation kept (`Hello, World!` -> `hello-world!`)."""
    for sign, word in _SIGN_WORDS.items():
        text = text.replace(sign, f" {word} ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[&,+()$~%.'\":*?<>{}]", "", text)
    text = re.sub(r"[^\w\s$*_+~.()'\"!\-:@]+", "", text)
    return re.sub(r"\s+", "-", text.strip()).lower()


def _split_filters(expr: str) -> list[str]:
    """`title | slugify` -> ["title", "slugify"], quotes respected."""
    parts, start, quote = [], 0, ""
    for i, c in enumerate(expr):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "|" and expr[i + 1 : i + 2] != "|":
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return parts


def _apply(current: Any, name: str, arg: str | None) -> Any:
    """One filter of a permalink's output; None when it is not one that can be worked out."""
    if name in ("slugify", "slug") and isinstance(current, str):
        return eleventy_slugify(current) if name == "slugify" else eleventy_slug(current)
    if name in ("lower", "downcase") and isinstance(current, str):
        return current.lower()
    if name == "url" and isinstance(current, str):
        return current
    if name == "htmlDateString" and isinstance(current, dt.datetime):
        return current.strftime("%Y-%m-%d")
    if name == "date" and isinstance(current, dt.datetime) and arg and "%" in arg:
        return current.strftime(arg)
    return None


def _evaluate(expr: str, values: dict[str, Any]) -> str | None:
    parts = _split_filters(expr.strip())
    head = parts[0]
    quoted = _STRING.fullmatch(head)
    current: Any = (quoted.group(1) or quoted.group(2) or "") if quoted else values.get(head)
    if current is None:
        return None
    for part in parts[1:]:
        m = re.fullmatch(r"(\w+)\s*(?::\s*(.+)|\((.*)\))?", part, re.S)
        if not m:
            return None
        raw = (m.group(2) or m.group(3) or "").strip()
        arg = _STRING.fullmatch(raw)
        current = _apply(current, m.group(1), (arg.group(1) or arg.group(2)) if arg else None)
        if current is None:
            return None
    if isinstance(current, dt.datetime):
        return None  # a date shown as JavaScript writes it: no address part
    return str(current)


def evaluate_permalink(pattern: str, values: dict[str, Any]) -> str | None:
    """The address a `permalink` with template code gives, for the common forms only
    (`/posts/{{ page.fileSlug }}/`, `{{ title | slugify }}/`, `{{ page.date | date: "%Y" }}`);
    None when it holds anything else (a tag, another filter, a name not in `values`)."""
    if "{%" in pattern:
        return None
    unknown = False

    def one(m: re.Match[str]) -> str:
        nonlocal unknown
        found = _evaluate(m.group(1), values)
        if found is None:
            unknown = True
            return ""
        return found

    out = _OUTPUT.sub(one, pattern)
    if unknown or "{{" in out or not out.strip():
        return None
    return clean_url(out)


def permalink_values(rel: str, meta: dict[str, Any], date: dt.datetime | None) -> dict[str, Any]:
    """What a permalink's template code may name: the page's values and its front matter's
    (directory data's) plain values."""
    values: dict[str, Any] = {
        key: v for key, v in meta.items() if isinstance(v, (str, int)) and not isinstance(v, bool)
    }
    values["page.fileSlug"] = file_slug(rel)
    values["page.filePathStem"] = file_path_stem(rel)
    if date is not None:
        values["page.date"] = date
    return values


def article_tags(raw: Any, collections: set[str]) -> list[str]:
    """A post's tags without the collection names (`posts`, and those a directory data file
    gives every file of a folder): Eleventy's tags are both, sitegen's only the first."""
    tags = [raw] if isinstance(raw, str) else [str(t) for t in raw or [] if t not in (None, "")]
    drop = {c.lower() for c in COLLECTION_TAGS | collections}
    out: list[str] = []
    for tag in tags:
        if tag.lower() not in drop and tag not in out:
            out.append(tag)
    return out


def rewrite_body(
    text: str,
    engine: Any,
    data: dict[str, dict[str, Any]],
    data_path: str,
    image_src: Callable[[str], str],
) -> tuple[str, list[Found]]:
    """`text` (a whole file) with what sitegen can stand in for replaced, outside code, line
    for line; and what was replaced, as constructs for the report."""
    try:
        fm = split_front_matter(text, "")
    except SiteError:
        return text, []
    if "{" not in fm.body:
        return text, []
    lines = text.split("\n")
    head, body = "\n".join(lines[: fm.body_line - 1]), "\n".join(lines[fm.body_line - 1 :])
    found: list[Found] = []

    def line(pos: int) -> int:
        return fm.body_line + body.count("\n", 0, pos)

    def outside(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]) -> None:
        nonlocal body
        spans = code_spans(body)
        parts: list[str] = []
        last = 0
        for m in pattern.finditer(body):
            if in_spans(m.start(), spans) is not None:
                continue
            new = replace(m)
            if new is not None:
                parts += [body[last : m.start()], new]
                last = m.end()
        body = "".join([*parts, body[last:]])

    def image(m: re.Match[str]) -> str | None:
        texts = [a or b for a, b in _STRING.findall(m.group(1))]
        if not texts or not _STRING.match(m.group(1)):
            return None  # a variable, not a path: foreign.py leaves it out and says so
        alt = texts[1] if len(texts) > 1 else ""
        found.append((line(m.start()), "Eleventy shortcode 'image'", "shown as a Markdown image"))
        alt = alt.replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}](<{image_src(texts[0])}>)" + "\n" * m.group(0).count("\n")

    def value(m: re.Match[str]) -> str | None:
        shown = data.get(m.group(1), {}).get(m.group(2))
        if not isinstance(shown, (str, int, float)) or isinstance(shown, bool):
            return None
        found.append(
            (
                line(m.start()),
                f"Eleventy data '{m.group(1)}.{m.group(2)}'",
                f"replaced by its value in {data_path}",
            )
        )
        return str(shown)

    def comment(m: re.Match[str]) -> str:
        found.append((line(m.start()), "Nunjucks comment", "left out"))
        return "\n" * m.group(0).count("\n")

    if engine is not False:
        outside(_IMAGE, image)
        outside(_DATA_OUTPUT, value)
    if engine == "njk":
        outside(_COMMENT, comment)
    if not found:
        return text, []
    return head + ("\n" if head else "") + body, sorted(found)


_JS_OPEN = re.compile(r"\A\ufeff?---[ \t]*(?:js|javascript)[ \t]*\r?\n")
_FENCE_END = re.compile(r"^---[ \t]*\r?$", re.M)
_DECLARATION = re.compile(
    r"(?m)^[ \t]*(?:export\s+)?(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?="
    r"|(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*))"
)
_KEY = re.compile(r"""^(?:(["'])(.*?)\1|([A-Za-z_$][\w$-]*))\s*:""", re.S)


def _plain(value: Any) -> Any:
    """A literal as plain data (an object literal as a dict), or `Code` when any part is code."""
    if isinstance(value, Obj):
        out: dict[str, Any] = {}
        for item in split_top(value.text):
            m = _KEY.match(item)
            if m is None:
                return Code(item)  # a spread, a method, a computed key
            inner = _plain(literal_at(item, m.end(), {}))
            if isinstance(inner, Code):
                return inner
            out[m.group(2) if m.group(1) else m.group(3)] = inner
        return out
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return next((i for i in items if isinstance(i, Code)), items)
    return value


def js_front_matter(text: str) -> tuple[str, list[Found]] | None:
    """`text` with Eleventy's JavaScript front matter (`---js`) written as YAML, line for line
    where the values fit, and what was left out of it; None when the file has none.

    Eleventy runs that block; migrate reads its literals only (`const title = "A post";`, or
    one object literal, the older form). A function or a computed value is code: left out
    and reported, like template code in a body."""
    opened = _JS_OPEN.match(text)
    if opened is None:
        return None
    closed = _FENCE_END.search(text, opened.end())
    if closed is None:
        return None
    block = strip_comments(text[opened.end() : closed.start()])
    first_line = 2  # the block's first line in the file
    values: dict[str, Any] = {}
    found: list[Found] = []

    def keep(name: str, value: Any, at: int) -> None:
        plain = _plain(value)
        if isinstance(plain, Code):
            line = first_line + block.count("\n", 0, at)
            found.append((line, f"Eleventy JavaScript front matter '{name}'", "left out: code"))
        else:
            values[name] = plain

    start = len(block) - len(block.lstrip())
    if block[start : start + 1] == "{":  # `---js { title: "A post" } ---`
        end = matching(block, start)
        for item in split_top(block[start + 1 : end - 1] if end > 0 else ""):
            m = _KEY.match(item)
            at = block.find(item)
            if m is None:
                found.append((first_line + block.count("\n", 0, at), item[:40], "left out: code"))
                continue
            keep(m.group(2) if m.group(1) else m.group(3), literal_at(item, m.end(), {}), at)
    else:
        for m in _DECLARATION.finditer(block):
            if m.group(2):  # a function: Eleventy calls it from templates
                keep(m.group(2), Code("function"), m.start())
            else:
                keep(m.group(1), literal_at(block, m.end(), {}), m.start())
    lines = [f"{name}: {json.dumps(value, ensure_ascii=False)}" for name, value in values.items()]
    lines += [""] * (block.count("\n") - len(lines))  # the body keeps its line numbers
    rest = text[closed.start() :]
    return "---\n" + "\n".join(lines) + ("\n" if lines else "") + rest, sorted(found)
