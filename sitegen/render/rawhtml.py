"""Raw HTML in an article kept inside the article. Pure.

Markdown passes raw HTML through (`raw_html: true`, as Zola, Jekyll, Pelican and Astro do),
and the page's template is around it: a `</div>` the article never opened closes the page's
own, and a `<div>` it never closes takes in the related list, the navigation and the footer.
Worse, a `<textarea>`, `<script>`, `<style>` or `<title>` without its end tag, a `<plaintext>`,
or a `<!--` never closed, turns the whole rest of the page into text or hides it. Markdown's
own tags are always balanced, so only the raw fragments are looked at, in order:

- an end tag closing no element the raw HTML opened is left out;
- a raw-text element whose end tag never comes, `<plaintext>`, and a comment never closed are
  shown as text (their `<` escaped), so the writer sees what went wrong;
- so is a tag of a name HTML does not have (`vector<int>`, `git add <pathspec>`: text the
  writer meant to show, which a browser would hide as a tag), of the page's own (`<body>`,
  written about), a custom element never closed (`cd <my-project-name>`, a placeholder),
  and a tag never finished with `>` (a blank line inside it ended Markdown's HTML block);
- elements still open at the end of the article are closed there.

Each is reported at its line with what to do. Balanced raw HTML is left byte for byte as is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sitegen.text.textstats import summarize

# fmt: off
VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
))
# read as text up to their own end tag: one that never comes takes the rest of the page
RAW_TEXT = frozenset((
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
))
# an end tag that may be left out (HTML's rules): not reported when the article leaves it out
OPTIONAL_END = frozenset((
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
    "colgroup", "caption", "rb", "rt", "rtc", "rp",
))
# every element an article may hold (HTML's, and the old ones browsers still know), by name;
# any other name (`vector<int>`, `git add <pathspec>`) is text a writer meant to show, which a
# browser would take for a tag and hide; `html`, `head` and `body` are the page's own
ELEMENTS = frozenset((
    "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "basefont",
    "bdi", "bdo", "big", "blink", "blockquote", "br", "button", "canvas", "caption", "center",
    "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn",
    "dialog", "dir", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure",
    "font", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "i", "iframe", "img", "input", "ins", "kbd", "keygen", "label", "legend",
    "li", "link", "listing", "main", "map", "mark", "marquee", "menu", "menuitem", "meta",
    "meter", "nav", "nobr", "noembed", "noframes", "noscript", "object", "ol", "optgroup",
    "option", "output", "p", "param", "picture", "plaintext", "pre", "progress", "q", "rb",
    "rp", "rt", "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "slot",
    "small", "source", "spacer", "span", "strike", "strong", "style", "sub", "summary", "sup",
    "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title",
    "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "xmp", "math", "svg", "base",
    "image", "applet", "bgsound",
))
# fmt: on
PAGE = frozenset(("html", "head", "body"))  # the page's, never an article's
MAX_PROBLEMS = 10  # reported of one article
SHOWN = 40  # characters of a tag quoted in a message
FOREIGN = frozenset(("svg", "math"))  # where `<x/>` closes itself

# a comment, or the start of an end tag or a start tag (`_TagEnds` finds where it ends)
_MARKUP = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_STOP = re.compile(r"[>\"']")  # what ends a tag, or opens a quoted value in it


_AFTER_NAME = " \t\n\r\f/>"  # what may follow a tag's name


@dataclass
class Contained:
    """What `contain` made of the fragments."""

    fragments: list[str]  # each fragment, fixed
    closing: str  # end tags to put after the article's last fragment
    # (index of the fragment, line within it (0-based), message, hint)
    problems: list[tuple[int, int, str, str]] = field(default_factory=list)


def contain(fragments: list[str]) -> Contained:
    """The raw HTML `fragments` of one article, in order, kept inside it (see the module)."""
    lowered = [f.lower() for f in fragments]
    out = Contained(list(fragments), "")
    stack: list[tuple[str, int, int, int]] = []  # open elements: name, fragment, line, offset
    edits: list[list[tuple[int, int, str]]] = [[] for _ in fragments]  # start, end, new text
    open_count: Counter[str] = Counter()  # of each name in `stack`
    waiting = ""  # a raw-text element whose end tag is in a later fragment
    last_end: dict[str, int] = {}  # name -> the last fragment holding its end tag

    def ends_later(name: str, i: int) -> bool:
        if name not in last_end:
            holding = (k for k, low in enumerate(lowered) if _end_of_raw(low, name, 0) >= 0)
            last_end[name] = max(holding, default=-1)
        return last_end[name] > i

    for i, text in enumerate(fragments):
        last_here: dict[str, int] = {}  # name -> where its last end tag in `text` starts

        def end_here(name: str, start: int, i: int = i, last_here: dict = last_here) -> int:
            """`_end_of_raw` in this fragment, without a search where none can be found (a
            thousand unclosed `<textarea>` would each search the rest of the text)."""
            if name not in last_here:
                last_here[name] = _last_end_tag(lowered[i], name)
            return _end_of_raw(lowered[i], name, start) if start <= last_here[name] else -1

        last_close = text.rfind("-->")  # none after a `<!--`: it is never closed
        tag_ends = _TagEnds(text)
        pos = 0
        line, counted = 0, 0  # `line` is the line of `text[counted]`
        while pos < len(text):
            if waiting:  # text up to `</waiting`
                end = end_here(waiting, pos)
                if end < 0:
                    break
                waiting, pos = "", end
                continue
            m = _MARKUP.search(text, pos)
            if m is None:
                break
            line += text.count("\n", counted, m.start())
            counted = m.start()
            tag_end = tag_ends.after(m.end()) if m.group(0) != "<!--" else 0
            if tag_end < 0:  # a browser would read on into the page for its `>`
                edits[i].append((m.start(), m.start() + 1, "&lt;"))
                pos = m.start() + 1
                out.problems.append(
                    (
                        i,
                        line,
                        f"{summarize(text[m.start() : m.start() + 60], SHOWN)} is a tag never finished"
                        " with >: shown as text",
                        "keep a tag's lines together: a blank line inside one ends it",
                    )
                )
                continue
            if m.group(0) == "<!--":
                end = _end_of_comment(text, m.start(), last_close)
                if end >= 0:
                    pos = end
                    continue
                edits[i].append((m.start(), m.start() + 1, "&lt;"))
                pos = m.start() + 1
                out.problems.append(
                    (
                        i,
                        line,
                        "an HTML comment (<!--) is never closed: shown as text",
                        "end it with --> where it should end",
                    )
                )
                continue
            closing, name = m.group(1), m.group(2).lower()
            pos = tag_end
            tag = text[m.start() : tag_end]
            foreign = any(open_count[f] for f in FOREIGN)  # where any name is an element
            if not foreign and (name in PAGE or not _element(name)):
                edits[i].append((m.start(), m.start() + 1, "&lt;"))
                out.problems.append((i, line, *_not_in_articles(tag, name)))
                continue
            if closing:
                if open_count[name]:  # closes it and what is open inside it
                    while True:
                        popped = stack.pop()[0]
                        open_count[popped] -= 1
                        if popped == name:
                            break
                elif name not in VOID:
                    edits[i].append((m.start(), tag_end, ""))
                    out.problems.append(
                        (
                            i,
                            line,
                            f"</{name}> closes no element the article opened: left out",
                            f"take it out, or open the <{name}> it closes in the article",
                        )
                    )
                continue
            self_closing = tag[:-1].rstrip().endswith("/")
            if name == "plaintext" or (name in RAW_TEXT and not self_closing):
                end = -1 if name == "plaintext" else end_here(name, pos)
                if end >= 0:
                    pos = end
                elif name != "plaintext" and ends_later(name, i):
                    waiting = name
                else:
                    edits[i].append((m.start(), m.start() + 1, "&lt;"))
                    pos = m.start() + 1
                    out.problems.append((i, line, *_never_closed(name)))
                continue
            if name not in VOID and not (self_closing and (foreign or name in FOREIGN)):
                stack.append((name, i, line, m.start()))
                open_count[name] += 1
    closed = []
    for name, i, line, at in stack:
        if "-" in name:  # `cd <my-project>`: a custom element never closed is a placeholder
            edits[i].append((at, at + 1, "&lt;"))
            out.problems.append(
                (
                    i,
                    line,
                    f"<{name}> is never closed, and would be hidden as a tag: shown as text",
                    f"write it in backticks (`<{name}>`) to show it as code, or close it",
                )
            )
            continue
        closed.append(name)
        if name not in OPTIONAL_END:
            out.problems.append(
                (
                    i,
                    line,
                    f"<{name}> is never closed: closed at the end of the article",
                    f"close it with </{name}> where it should end",
                )
            )
    out.closing = "".join(f"</{name}>" for name in reversed(closed))
    for i, changes in enumerate(edits):
        if changes:
            out.fragments[i] = _edited(fragments[i], changes)
    out.problems.sort(key=lambda problem: problem[:2])  # in the order of the article
    if len(out.problems) > MAX_PROBLEMS:  # a few say what is wrong; thousands are noise
        i, line, _, _ = out.problems[MAX_PROBLEMS]
        more = len(out.problems) - MAX_PROBLEMS
        out.problems[MAX_PROBLEMS:] = [
            (i, line, f"and {more} more such problems of its raw HTML from here on", "")
        ]
    return out


def _element(name: str) -> bool:
    """HTML's, an old one browsers know, or a custom element (`my-card`, Word's `o:p`)."""
    return name in ELEMENTS or "-" in name or ":" in name


def _edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, new text) of `edits` (none overlapping) made."""
    pieces, done = [], 0
    for start, end, new in sorted(edits):
        pieces += [text[done:start], new]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _not_in_articles(tag: str, name: str) -> tuple[str, str]:
    shown = summarize(tag, SHOWN)
    if name in PAGE:
        why = f"{shown} is the page's own, and would be hidden in an article"
    else:
        why = f"{shown} is no HTML element, and would be hidden as a tag"
    return f"{why}: shown as text", f"write it in backticks (`{shown}`) to show it as code"


def _never_closed(name: str) -> tuple[str, str]:
    if name == "plaintext":  # nothing ends it
        return "<plaintext> makes the rest of the page text: shown as text", "use <pre>"
    return (
        f"<{name}> is never closed, and would take the rest of the page: shown as text",
        f"close it with </{name}>",
    )


def _end_of_raw(lowered: str, name: str, start: int) -> int:
    """Where the end tag `</name` (followed by a space, `/` or `>`) ends in `lowered` from
    `start`, or -1."""
    at = start
    while True:
        at = lowered.find("</" + name, at)
        if at < 0:
            return -1
        after = at + 2 + len(name)
        if after == len(lowered) or lowered[after] in _AFTER_NAME:
            close = lowered.find(">", after)
            return len(lowered) if close < 0 else close + 1
        at = after


class _TagEnds:
    """Where the tags of one text end: after the first `>` outside quoted attribute values,
    or -1 when there is none (a browser would read on past the text for it). In linear time
    over all the tags asked about: each quote is followed once (a thousand `<a title="` with
    no closing quote would each read the rest of the text), and the search for the next `>`
    or quote is not repeated over text it has crossed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends: dict[int, int] = {}  # position of a `>` or quote -> where its tag ends
        self._from, self._stop = 0, -2  # no `>` or quote in text[_from:_stop]

    def after(self, start: int) -> int:
        """Where a tag whose name ends at `start` ends."""
        path: list[int] = []
        at = self._next_stop(start)
        while True:
            if at < 0 or at in self.ends:
                end = -1 if at < 0 else self.ends[at]
                break
            path.append(at)
            quote = self.text[at]
            if quote == ">":
                end = at + 1
                break
            closing = self.text.find(quote, at + 1)
            if closing < 0:
                end = -1
                break
            at = self._next_stop(closing + 1)
        for stop in path:
            self.ends[stop] = end
        return end

    def _next_stop(self, start: int) -> int:
        if self._from <= start and (start <= self._stop or self._stop == -1):
            return self._stop
        m = _STOP.search(self.text, start)
        self._from, self._stop = start, (m.start() if m else -1)
        return self._stop


def _last_end_tag(lowered: str, name: str) -> int:
    """Where the last end tag `</name` of `lowered` starts, or -1."""
    tag = "</" + name
    end = len(lowered)
    while True:
        at = lowered.rfind(tag, 0, end)
        if at < 0:
            return -1
        after = at + len(tag)
        if after == len(lowered) or lowered[after] in _AFTER_NAME:
            return at
        end = after - 1  # an earlier one


def _end_of_comment(text: str, start: int, last_close: int) -> int:
    """Where the comment opening at `start` ends (`<!-->` and `<!--->` end at once), or -1;
    `last_close` is where the last `-->` of `text` is."""
    if text.startswith(("<!-->", "<!--->"), start):
        return text.index(">", start) + 1
    if last_close < start + 4:
        return -1
    return text.find("-->", start + 4) + 3
