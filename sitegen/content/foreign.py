"""Other generators' template syntax in Markdown bodies: recognised, never run, never shown raw.

Hugo shortcodes (`{{< name >}}`, `{{% name %}}`, closed by `{{< /name >}}`), Liquid tags and
output (`{% tag %}`, `{{ value }}`, Jekyll) and Zola shortcodes (`{{ name(args) }}`,
`{% name(args) %}...{% end %}`) need their own generator to run. `convert()` rewrites each
one, outside code, into the Markdown that carries its meaning where there is one (highlight ->
fenced code, figure -> image with caption, ref/post_url/link -> a link to the content file,
youtube/vimeo/gist/tweet -> a link, `site.baseurl` -> nothing) and otherwise keeps only its
inner text; it lists every construct so the loader warns once per construct with its line.
Code is left exactly as written, except the escapes whose only job is to show template syntax
literally (`{% raw %}`, Hugo's `{{</* x */>}}`, Zola's `{{/* x() */}}`), which are unwrapped
as the original generator would. Runs at load time only for bodies containing `{{` or `{%`.
"""

from __future__ import annotations

import bisect
import functools
import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sitegen.text.bodyscan import code_spans, in_spans

# Admonition kinds the Markdown renderer styles; other generators' notices map onto them.
ADMONITION_KINDS = (
    "note",
    "tip",
    "info",
    "warning",
    "danger",
    "caution",
    "important",
    "abstract",
    "success",
    "question",
    "failure",
    "bug",
    "example",
    "quote",
)


_HUGO = re.compile(
    r"\{\{(?P<d>[<%])\s*(?P<close>/)?\s*(?P<name>[\w.-]+(?:/[\w.-]+)*)"
    r"(?P<args>(?:\"[^\"]*\"|`[^`]*`|[^\"`<>%{}])*?)\s*(?P<self>/)?\s*[>%]\}\}"
)
# A tag or an output may wrap onto the next line, never across a blank line. No pattern scans
# past the next opener of its kind: from every opener without a closer, a scan to the end of
# the paragraph made 40 KB of `{% a` take ten seconds (and a megabyte, hours).
_LIQUID_TAG = re.compile(
    r"\{%-?\s*(?P<name>\w+)(?P<args>(?:(?!\{%)[^\n]|\n(?![ \t]*\n))*?)\s*-?%\}"
)
_OUTPUT = re.compile(r"\{\{-?(?P<expr>(?:[^\n{}]|\n(?![ \t]*\n))*?)-?\}\}")
_NO_ESCAPE = r"(?:(?!\{\{[<%]?/\*|\{%/\*).)*?"  # up to the next `{{</*`, `{{/*` or `{%/*`
_ESCAPED = re.compile(
    rf"\{{\{{([<%])/\*({_NO_ESCAPE})\*/([>%])\}}\}}|\{{\{{/\*({_NO_ESCAPE})\*/\}}\}}"
    rf"|\{{%/\*({_NO_ESCAPE})\*/%\}}",
    re.S,
)
_ANY = re.compile(
    "(?P<esc>"
    + re.sub(r"(?<!\\)\((?!\?)", "(?:", _ESCAPED.pattern)  # its groups, not captured
    + ")|"
    + _HUGO.pattern
    + "|"
    + _LIQUID_TAG.pattern.replace("?P<name>", "?P<tname>").replace("?P<args>", "?P<targs>")
    + "|"
    + _OUTPUT.pattern
)
_RAW = re.compile(
    r"\{%-?\s*raw\s*-?%\}((?:(?!\{%-?\s*raw\s*-?%\}).)*?)\{%-?\s*endraw\s*-?%\}", re.S
)
_HUGO_ARG = re.compile(r"""(?:([\w-]+)=)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|([^\s"`]+))""")
_ZOLA_ARG = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^,\s)]+))""")
_ZOLA_CALL = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$", re.S)
_BASEURL = re.compile(r"^\s*(site\.(baseurl|url|base_url)|config\.base_url|base_url)\s*$")
_QUOTED_FILTER = re.compile(
    r"""^\s*(["'])(.*?)\1\s*\|\s*(relative_url|absolute_url|prepend:\s*site\.(?:baseurl|url)|url)\b"""
)

VIDEO_LINKS = {
    "youtube": ("YouTube video", "https://www.youtube.com/watch?v={}"),
    "vimeo": ("Vimeo video", "https://vimeo.com/{}"),
    "instagram": ("Instagram post", "https://www.instagram.com/p/{}/"),
}
# Liquid tags that open a block closed by `end<name>`; their tags are dropped, inner text kept.
_DROPPED_WITH_INNER = {"capture", "comment"}
# Hugo themes' boxes: {{% notice warning "Title" %}} (Relearn, Docsy...) or {{< warning >}}
_NOTICE_WRAPPERS = {"notice", "alert", "callout", "admonition", "hint"}
_NOTICES = _NOTICE_WRAPPERS | {"note", "tip", "info", "warning", "danger", "caution", "important"}


@dataclass(frozen=True)
class Construct:
    """One template construct found in a body, and what became of it."""

    line: int
    generator: str  # "Hugo", "Liquid" or "Zola"
    kind: str  # "shortcode", "tag" or "output"
    name: str
    result: str  # what the reader sees instead

    def message(self) -> str:
        return f"{self.generator} {self.kind} '{self.name}' is not run by sitegen; {self.result}"


_KRAMDOWN_IAL = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.M)


def strip_block_attributes(body: str) -> str:
    """Drop kramdown's attribute lines (`{: .notice}` under a paragraph, Jekyll): they style a
    block for a Jekyll theme and would otherwise show as text. Lines are kept (emptied)."""
    if "{:" not in body:
        return body
    spans = code_spans(body)
    return _KRAMDOWN_IAL.sub(
        lambda m: m.group(0) if in_spans(m.start(), spans) is not None else "", body
    )


_TAB = re.compile(r'^( {0,3})=== (?:\+ )?"([^"\n]*)"[ \t]*$')


def flatten_tabs(body: str) -> str:
    """MkDocs Material content tabs (`=== "Python"` over an indented block) become a bold
    label over the block's content, so nothing shows as raw syntax or as an indented code
    block. Lines are kept one for one (line numbers in messages stay right)."""
    if '=== "' not in body and '=== + "' not in body:
        return body
    spans = code_spans(body)
    lines = body.split("\n")
    out: list[str] = []
    offset = 0  # character offset of the current line, for the code-span check
    depth: int | None = None  # indent of the tab marker being flattened
    for line in lines:
        m = _TAB.match(line)
        if m and in_spans(offset, spans) is None:
            depth = len(m.group(1))
            out.append(f"{m.group(1)}**{_escape_md(m.group(2))}**")
        elif depth is not None and (not line.strip() or line.startswith(" " * (depth + 4))):
            out.append(line[depth + 4 :] if line.strip() else line)
        else:
            depth = None
            out.append(line)
        offset += len(line) + 1
    return "\n".join(out)


def has_template_syntax(body: str) -> bool:
    return "{{" in body or "{%" in body


def convert(body: str, first_line: int = 1) -> tuple[str, list[Construct]]:
    """The body with every construct outside code replaced, and the constructs found."""
    if not has_template_syntax(body):
        return body, []
    found: list[Construct] = []
    out = _convert(body, first_line, found)
    return out, found


def _convert(text: str, first_line: int, found: list[Construct]) -> str:
    spans = code_spans(text)
    parts: list[str] = []
    pos = 0
    line, counted = first_line, 0  # lines counted on from the last construct: once over the text
    while True:
        m = _ANY.search(text, pos)
        if not m:
            break
        start = m.start()
        if in_spans(start, spans) is not None:
            end = in_spans(start, spans) or m.end()
            parts.append(text[pos:end])
            pos = end
            continue
        parts.append(text[pos:start])
        line += text.count("\n", counted, start)
        counted = start
        replacement, end = _replace(text, m, line, found, "".join(parts[-1:]))
        parts.append(replacement)
        pos = max(end, m.end())
    parts.append(text[pos:])
    out = "".join(parts)
    if "/*" in out or "{% raw" in out or "{%- raw" in out:
        out = _unescape_code(out, code_spans(out))
    return out


def _unescape_code(text: str, spans: list[tuple[int, int]]) -> str:
    """Inside code, show what the escapes meant: `{{</* x */>}}` -> `{{< x >}}`, raw unwrapped."""
    pieces = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start])
        code = text[start:end]
        code = _ESCAPED.sub(_unescaped, code)
        code = _RAW.sub(lambda m: m.group(1), code)
        pieces.append(code)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _unescaped(m: re.Match) -> str:
    if m.group(1):
        return "{{" + m.group(1) + m.group(2) + m.group(3) + "}}"
    if m.group(4) is not None:
        return "{{" + m.group(4) + "}}"
    return "{%" + m.group(5) + "%}"


def _hugo_args(raw: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in _HUGO_ARG.finditer(raw):
        value = next((v for v in m.group(2, 3, 4) if v is not None), "")
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def _zola_args(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next((v for v in m.group(2, 3, 4, 5) if v is not None), "")
        for m in _ZOLA_ARG.finditer(raw)
    }


def _fenced(lang: str, code: str, before: str) -> str:
    code = code.strip("\n")
    lead = "" if not before or before.endswith("\n") else "\n"
    return f"{lead}```{lang}\n{code}\n```\n"


def _escape_md(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _link(label: str, url: str) -> str:
    return f"[{_escape_md(label)}](<{url}>)"


def _content_ref(target: str) -> str:
    """A Hugo ref/relref or Jekyll link target as a path localize.py can resolve."""
    path, hashmark, fragment = target.partition("#")
    if path.endswith("/") and not path.startswith("/"):
        path = path.rstrip("/")  # `ref "11-s3/"`: the page, not an address below this one
    if path and not re.search(r"\.\w+$", path) and not path.endswith("/"):
        path += ".md"
    return path + (hashmark + fragment if hashmark else "")


_IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|avif)(\?.*)?$", re.I)


def _image_param(named: dict[str, str]) -> str:
    """The value of the first parameter naming an image file (src=, url=, image=, file=...)."""
    for key in ("src", "url", "image", "file", "path", "img"):
        if _IMAGE_EXT.search(named.get(key, "")):
            return named[key]
    return ""


def _image(named: dict[str, str], positional: list[str]) -> str:
    """A Markdown image (with a caption as its title) for a figure-like shortcode or include."""
    src = named.get("src") or _image_param(named) or (positional[0] if positional else "")
    if not src:
        return ""
    caption = named.get("caption") or named.get("title") or named.get("description") or ""
    alt = named.get("alt") or caption
    # the caption as the title, which the figure reads as Markdown (as Hugo's figure does):
    # on one line (a blank line would end the image), its quotes and backslashes escaped
    quoted = " ".join(caption.split()).replace("\\", "\\\\").replace('"', '\\"')
    title = f' "{quoted}"' if quoted else ""
    return f"![{_escape_md(alt)}](<{src}>{title})"


_LIQUID_IMG = re.compile(
    r"^(?:(?P<cls>[^/\s]\S*\s+)*?)(?P<src>(?:https?:/)?/\S+|\S+\.(?:jpe?g|png|gif|webp|svg|avif))"
    r"(?:\s+\d+%?){0,2}\s*(?P<rest>.*)$",
    re.S | re.I,
)


def _liquid_img(args: str) -> str:
    """`{% img [class] /path [width [height]] [title ["alt"]] %}` as a Markdown image."""
    m = _LIQUID_IMG.match(args.strip())
    if not m:
        return ""
    texts = re.findall(r'"([^"]*)"|\'([^\']*)\'', m.group("rest"))
    if texts:
        title, alt = (texts[0][0] or texts[0][1]), (texts[-1][0] or texts[-1][1])
    else:
        title = alt = m.group("rest").strip().strip("[]").strip()
    return _image({"src": m.group("src"), "caption": title, "alt": alt}, [])


_VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg"}


def _liquid_video(args: str) -> str:
    """`{% video url [url...] [width height] [poster] %}` as an HTML player: the files are
    the post's own (published with it), so dropping the tag lost them."""
    sources, sizes, poster = [], [], ""
    for word in args.split():
        suffix = posixpath.splitext(word.split("?")[0])[1].lower()
        if suffix in _VIDEO_TYPES:
            sources.append((word, _VIDEO_TYPES[suffix]))
        elif word.isdigit():
            sizes.append(word)
        elif suffix in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
            poster = word
    if not sources:
        return ""
    attrs = "".join(f' {k}="{v}"' for k, v in zip(("width", "height"), sizes, strict=False))
    attrs += f' poster="{html.escape(poster)}"' if poster else ""
    inner = "".join(f'<source src="{html.escape(u)}" type="{t}">' for u, t in sources)
    return f"\n<video controls{attrs}>{inner}</video>\n"


def _closing(text: str, pattern: str, start: int) -> re.Match | None:
    """The first closer at or after `start`. Closers are found once per text: a search from
    each of many openers without a closer (`{% raw %}` again and again) read to the end of
    the text every time."""
    closers = _closers(text, pattern)
    i = bisect.bisect_left(closers, start, key=lambda m: m.start())
    return closers[i] if i < len(closers) else None


@functools.lru_cache(maxsize=4)
def _closers(text: str, pattern: str) -> list[re.Match]:
    return list(re.compile(pattern, re.S).finditer(text))


# a Hugo closing tag of any name: a name ends where `\s*[>%]}}` begins, so each closer is one
# name's, as it would be for a pattern of that name alone
_HUGO_CLOSER = re.compile(r"\{\{[<%]\s*/\s*([\w.-]+(?:/[\w.-]+)*)\s*[>%]\}\}")


def _hugo_closing(text: str, name: str, start: int) -> re.Match | None:
    """The first `{{< /name >}}` at or after `start`. Every closer of every name is found in
    one pass over the text: a pass for each name made a body of many names each opened
    without a closer (`{{< a1 >}}{{< a2 >}}...`) take time growing with their square."""
    closers = _hugo_closers(text).get(name)
    if closers is None:
        return None
    i = bisect.bisect_left(closers, start, key=lambda m: m.start())
    return closers[i] if i < len(closers) else None


@functools.lru_cache(maxsize=4)
def _hugo_closers(text: str) -> dict[str, list[re.Match]]:
    by_name: dict[str, list[re.Match]] = {}
    for m in _HUGO_CLOSER.finditer(text):
        by_name.setdefault(m.group(1), []).append(m)
    return by_name


def _replace(
    text: str, m: re.Match, line: int, found: list[Construct], before: str
) -> tuple[str, int]:
    """(replacement, end offset in `text`) for the construct matched at `m`."""
    if m.group("esc") is not None:  # an escaped construct shows its syntax: as code
        return f"`{_ESCAPED.sub(_unescaped, m.group(0))}`", m.end()
    if m.group("name") is not None:
        return _hugo(text, m, line, found, before)
    if m.group("tname") is not None:
        return _liquid_tag(text, m, line, found, before)
    return _output(m, line, found), m.end()


def _hugo(
    text: str, m: re.Match, line: int, found: list[Construct], before: str
) -> tuple[str, int]:
    name = m.group("name")
    if m.group("close"):
        return "", m.end()  # a closing tag whose opening was not found: drop it
    positional, named = _hugo_args(m.group("args"))
    inner = None
    end = m.end()
    if not m.group("self"):
        close = _hugo_closing(text, name, m.end())
        if close:
            inner, end = text[m.end() : close.start()], close.end()
    lname = name.lower()

    def record(result: str) -> None:
        found.append(Construct(line, "Hugo", "shortcode", name, result))

    if lname == "highlight" and inner is not None:
        record("shown as a fenced code block")
        return _fenced(positional[0] if positional else "", inner, before), end
    if lname == "figure" or (inner is None and _image_param(named)):
        picture = _image(named, positional if lname == "figure" else [])
        if picture:
            record("shown as an image")
            return picture, end
    if lname in ("ref", "relref") and positional:
        record("made a link to the content file")
        return _content_ref(positional[0]), end
    if lname in VIDEO_LINKS:
        ident = named.get("id", positional[0] if positional else "")
        if ident:
            label, url = VIDEO_LINKS[lname]
            record("shown as a link")
            return _link(label, url.format(ident)), end
    if lname == "gist" and len(positional) >= 2:
        record("shown as a link")
        return _link("Gist", f"https://gist.github.com/{positional[0]}/{positional[1]}"), end
    if lname in ("tweet", "x", "twitter"):
        user, ident = named.get("user", ""), named.get("id", "")
        if not ident and positional:
            ident = positional[-1]
            user = positional[0] if len(positional) > 1 else user
        if ident:
            record("shown as a link")
            return _link("Post on X", f"https://x.com/{user or 'i'}/status/{ident}"), end
    if lname == "details" and inner is not None:
        record("shown as a <details> block")
        summary = named.get("summary", positional[0] if positional else "Details")
        body = _convert(inner, line, found)
        return (
            f"\n<details><summary>{html.escape(summary)}</summary>\n\n{body.strip()}\n\n"
            "</details>\n"
        ), end
    if lname in _NOTICES and inner is not None:
        kind = (positional[0] if lname in _NOTICE_WRAPPERS and positional else lname).lower()
        kind = kind if kind in ADMONITION_KINDS else "note"
        title = named.get(
            "title",
            positional[1]
            if lname in _NOTICE_WRAPPERS and len(positional) > 1
            else positional[0]
            if lname not in _NOTICE_WRAPPERS and positional
            else "",
        )
        record("shown as an admonition")
        body = _convert(inner, line, found).strip("\n")
        indented = "\n".join(("    " + b) if b.strip() else "" for b in body.split("\n"))
        label = f' "{title}"' if title and '"' not in title else ""
        return f"\n!!! {kind}{label}\n{indented}\n", end
    if inner is not None and inner.strip():
        record("only its inner text is shown")
        return _convert(inner, line, found), end
    record("left out")
    return "", end


def _liquid_tag(
    text: str, m: re.Match, line: int, found: list[Construct], before: str
) -> tuple[str, int]:
    name = m.group("tname")
    args = m.group("targs").strip()
    lname = name.lower()
    zola = args.startswith("(")

    def record(result: str, generator: str = "Liquid", kind: str = "tag") -> None:
        found.append(Construct(line, generator, kind, name, result))

    if zola:
        close = _closing(text, r"\{%-?\s*end\s*-?%\}", m.end())
        inner = text[m.end() : close.start()] if close else ""
        end = close.end() if close else m.end()
        named = _zola_args(args[1:-1]) if args.endswith(")") else {}
        if _image_param(named):  # {% figure(url="x.png") %}caption{% end %}
            record("shown as an image", "Zola", "shortcode")
            caption = named.get("caption") or " ".join(inner.split())
            return _image({**named, "caption": caption}, []), end
        if inner.strip():
            record("only its inner text is shown", "Zola", "shortcode")
            return _convert(inner, line, found), end
        record("left out", "Zola", "shortcode")
        return "", end
    if lname == "raw":
        close = _closing(text, r"\{%-?\s*endraw\s*-?%\}", m.end())
        if close:
            inner = text[m.end() : close.start()]
            if has_template_syntax(inner) and "\n" not in inner and "`" not in inner:
                return f"`{inner}`", close.end()  # literal template code: shown as code
            return inner, close.end()
        return "", m.end()
    if lname in _DROPPED_WITH_INNER:
        close = _closing(text, r"\{%-?\s*end" + lname + r"\s*-?%\}", m.end())
        end = close.end() if close else m.end()
        if lname != "comment":
            record("left out")
        return "", end
    if lname == "highlight":
        close = _closing(text, r"\{%-?\s*endhighlight\s*-?%\}", m.end())
        if close:
            record("shown as a fenced code block")
            lang = args.split()[0] if args else ""
            return _fenced(lang, text[m.end() : close.start()], before), close.end()
    if lname == "post_url" and args:
        record("made a link to the content file")
        return args.split()[0].split("/")[-1] + ".md", m.end()
    if lname == "link" and args:
        record("made a link to the content file")
        path = args.split()[0].strip("'\"")
        return "/" + path.lstrip("/"), m.end()  # from the site root; localize.py finds _posts/
    if lname == "img" and args:  # Octopress's and Pelican's liquid_tags picture
        picture = _liquid_img(args)
        if picture:
            record("shown as an image")
            return picture, m.end()
    if lname == "video" and args:  # Octopress's and Pelican's liquid_tags: a video file
        player = _liquid_video(args)
        if player:
            record("shown as a video player")
            return player, m.end()
    if lname == "notebook" and args:  # Pelican's liquid_tags: a Jupyter notebook shown inline
        path = args.split()[0]
        record("shown as a link to the notebook file")
        return _link(path.rsplit("/", 1)[-1], "/" + path.lstrip("/")), m.end()
    if lname == "include" and _image_param(_hugo_args(args)[1]):  # include image.html url="x.png"
        record("shown as an image")
        return _image(_hugo_args(args)[1], []), m.end()
    if lname.startswith("end") or lname in (
        "else",
        "elsif",
        "when",
        "break",
        "continue",
        "assign",
        "increment",
        "decrement",
        "cycle",
    ):
        if lname in ("assign", "increment", "decrement", "cycle"):
            record("left out")
        return "", m.end()
    if lname in ("if", "unless", "for", "case", "tablerow"):
        record("its condition is ignored and its inner text shown")
        return "", m.end()
    record("left out")
    return "", m.end()


def _output(m: re.Match, line: int, found: list[Construct]) -> str:
    expr = m.group("expr").strip()
    if expr.startswith("."):  # Go template code in prose, which Hugo shows as written
        return m.group(0)
    call = _ZOLA_CALL.match(expr)
    if call:
        name = call.group(1)
        args = _zola_args(call.group(2))
        lname = name.lower()
        if lname in VIDEO_LINKS and args.get("id"):
            label, url = VIDEO_LINKS[lname]
            found.append(Construct(line, "Zola", "shortcode", name, "shown as a link"))
            return _link(label, url.format(args["id"]))
        if lname == "gist" and args.get("url"):
            found.append(Construct(line, "Zola", "shortcode", name, "shown as a link"))
            return _link("Gist", args["url"])
        if _image_param(args):  # {{ resize_image(path="about/me.png", width=300) }}
            found.append(Construct(line, "Zola", "shortcode", name, "shown as an image"))
            return _image(args, [])
        found.append(Construct(line, "Zola", "shortcode", name, "left out"))
        return ""
    if _BASEURL.match(expr):
        found.append(
            Construct(
                line,
                "Liquid",
                "output",
                expr,
                "replaced by nothing (links are made relative instead)",
            )
        )
        return ""
    quoted = _QUOTED_FILTER.match(expr)
    if quoted:
        found.append(Construct(line, "Liquid", "output", expr, "its path is used as written"))
        return quoted.group(2)
    found.append(Construct(line, "Liquid", "output", expr or "{{ }}", "left out"))
    return ""


# MkDocs Material icons (`:octicons-heart-fill-24:`, `:material-account:`,
# `:fontawesome-brands-github:`, `:simple-python:`) need its icon set; emoji shortcodes
# (`:smile:`) have Unicode characters.
# the colon first, the look behind after it: a pattern starting with a literal is searched for
# in C, where a leading look-behind is tried at every character of the body (35x slower)
_SHORTCODE = re.compile(r":(?<![\w:]:)([a-z0-9][a-z0-9_+-]*):(?![\w:])")
ICON_SETS = ("octicons", "material", "fontawesome", "simple", "twemoji")
EMOJI = {
    "smile": "😄",
    "smiley": "😃",
    "grin": "😁",
    "laughing": "😆",
    "joy": "😂",
    "wink": "😉",
    "blush": "😊",
    "slightly_smiling_face": "🙂",
    "thinking": "🤔",
    "thinking_face": "🤔",
    "confused": "😕",
    "cry": "😢",
    "sob": "😭",
    "sweat_smile": "😅",
    "heart": "❤️",
    "broken_heart": "💔",
    "sparkles": "✨",
    "star": "⭐",
    "fire": "🔥",
    "tada": "🎉",
    "rocket": "🚀",
    "warning": "⚠️",
    "bulb": "💡",
    "memo": "📝",
    "book": "📖",
    "books": "📚",
    "link": "🔗",
    "lock": "🔒",
    "key": "🔑",
    "bug": "🐛",
    "wrench": "🔧",
    "hammer": "🔨",
    "gear": "⚙️",
    "package": "📦",
    "zap": "⚡",
    "eyes": "👀",
    "wave": "👋",
    "clap": "👏",
    "pray": "🙏",
    "muscle": "💪",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "ok_hand": "👌",
    "point_right": "👉",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "question": "❓",
    "exclamation": "❗",
    "100": "💯",
    "coffee": "☕",
    "tea": "🍵",
    "beer": "🍺",
    "cake": "🍰",
    "gift": "🎁",
    "calendar": "📅",
    "email": "📧",
    "globe_with_meridians": "🌐",
    "earth_africa": "🌍",
    "sunny": "☀️",
    "cloud": "☁️",
    "snowflake": "❄️",
    "rainbow": "🌈",
    "crab": "🦀",
    "snake": "🐍",
    "penguin": "🐧",
    "cat": "🐱",
    "dog": "🐶",
    "robot": "🤖",
    "construction": "🚧",
    "hourglass": "⌛",
    "chart_with_upwards_trend": "📈",
    "mag": "🔍",
    "pushpin": "📌",
    "computer": "💻",
    "bell": "🔔",
    "trophy": "🏆",
}


_SITE_VALUE = re.compile(r"\{\{-?\s*site\.(\w+)\s*-?\}\}")
# the site's address: links are made relative instead (see `_output`)
_ADDRESS_VALUES = frozenset({"url", "baseurl", "base_url"})


def fill_site_values(body: str, values: Mapping[str, str]) -> str:
    """Jekyll's `{{ site.repository }}` as the value site.yaml gives it (its title,
    description, author, or a value of `extra:`), outside code: what the old site showed."""
    if "site." not in body or not values:
        return body
    spans = code_spans(body)

    def one(m: re.Match) -> str:
        value = values.get(m.group(1))
        if value is None or m.group(1) in _ADDRESS_VALUES or in_spans(m.start(), spans) is not None:
            return m.group(0)
        return value

    return _SITE_VALUE.sub(one, body)


def _known_shortcode(name: str) -> bool:
    """An emoji's name, or an icon's (`material-home`: a set's name, a dash, the icon)."""
    return name in EMOJI or ("-" in name and name.split("-", 1)[0] in ICON_SETS)


def replace_shortcodes(body: str, first_line: int = 1) -> tuple[str, dict[str, int]]:
    """Emoji shortcodes become their characters; icon shortcodes of MkDocs Material's icon
    sets are removed. Returns the body and, per icon set found, the line of its first use (one
    warning per kind). Code is left as written."""
    if body.count(":") < 2:
        return body, {}
    # where the code is costs more than the rest: found only for a body with a shortcode
    if not any(_known_shortcode(m.group(1)) for m in _SHORTCODE.finditer(body)):
        return body, {}
    spans = code_spans(body)
    found: dict[str, int] = {}

    def replace(m: re.Match) -> str:
        name = m.group(1)
        if not _known_shortcode(name) or in_spans(m.start(), spans) is not None:
            return m.group(0)
        if name in EMOJI:
            return EMOJI[name]
        kind = name.split("-", 1)[0]
        found.setdefault(kind, first_line + body.count("\n", 0, m.start()))
        return ""

    return _SHORTCODE.sub(replace, body), found
