"""Plain-text views of Markdown: first paragraph for summaries, word counts, reading time; and
the characters no page may hold, and open bidi controls closed. Pure.

Word counts treat each Chinese or Japanese character (written without spaces) as a word, as
readers of those scripts count, and everything else by whitespace runs: Korean, Arabic, Hebrew,
Cyrillic and the like put spaces between words. Punctuation (also CJK full-width) is not a word.
"""

from __future__ import annotations

import functools
import html
import re

# characters XML 1.0 refuses (so a feed holding them is broken) and no text has: C0 controls
# but tab and line ends, lone surrogates (a JSON escape such as "\ud800": writing the page
# failed) and the noncharacters U+FFFE and U+FFFF; and what HTML calls a parse error, DEL, the
# C1 controls and the noncharacters U+FDD0 to U+FDEF
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

# bidi embeddings and overrides (closed by U+202C) and isolates (closed by U+2069)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_OPENS = {
    **dict.fromkeys("\u202a\u202b\u202d\u202e", "\u202c"),
    **dict.fromkeys("\u2066\u2067\u2068", "\u2069"),
}


def closed_bidi(text: str) -> str:
    """`text` with the bidi embeddings, overrides and isolates it leaves open closed at its
    end. A title, tag or author is shown inline (the `<title>`, a line of tags, "by ... on
    date"): an open right-to-left override (U+202E) in it turned the rest of that line around,
    enough to spoof the date or the next link."""
    if _BIDI.search(text) is None:
        return text
    open_: list[str] = []  # the closer each open one needs, innermost last
    for ch in _BIDI.findall(text):
        if ch in _BIDI_OPENS:
            open_.append(_BIDI_OPENS[ch])
        elif ch == "\u202c" and open_ and open_[-1] == ch:
            open_.pop()
        elif ch == "\u2069" and ch in open_:  # closes the embeddings opened inside it too
            del open_[len(open_) - 1 - open_[::-1].index(ch) :]
    return text + "".join(reversed(open_))


# Han ideographs, kana and half-width katakana; not Hangul (spaced) nor CJK punctuation
_CJK_CHARS = (
    "\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
)


@functools.cache
def _cjk_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(one CJK character, a counted word): compiled when a text that is not ASCII is first
    counted, not when sitegen starts (their wide ranges take 5 ms to compile, in every
    command that imports this).

    A counted word is a whitespace run (CJK characters split runs too) holding a letter or
    digit: [^\\W_] is exactly str.isalnum(), so one findall in C replaces a Python test of
    every character of every word."""
    return (
        re.compile(f"[{_CJK_CHARS}]"),
        re.compile(f"[^\\s{_CJK_CHARS}]*[^\\W_{_CJK_CHARS}][^\\s{_CJK_CHARS}]*"),
    )


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
WORDS_PER_MINUTE = 220
CJK_CHARS_PER_MINUTE = 500


# ASCII text (most of it) is counted with bytes operations in C: punctuation is deleted, the
# rare control characters str.isspace() counts as spaces become spaces, and the runs that are
# left are exactly the whitespace runs holding a letter or digit.
_ASCII_SPACES = bytes.maketrans(bytes(range(0x1C, 0x20)), b"    ")
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum() and not chr(c).isspace())


_ASCII_BREAKS = bytes.maketrans(
    bytes(c for c in range(128) if not chr(c).isalnum()),
    b" " * sum(not chr(c).isalnum() for c in range(128)),
)


_LEADING_DIGITS = re.compile(rb" [0-9]+")


def ascii_words(text: str, leading_digits: bool = True) -> list[str]:
    """The runs of letters and digits of an ASCII `text`, lowercased: what the regex
    `[^\\W_]+` finds in `text.lower()`, found by bytes operations in C (a quarter of the time).
    Without `leading_digits`, each run without the digits it starts with (those of digits
    only dropped): `lstrip` of every word, in one pass."""
    runs = text.encode("ascii").lower().translate(_ASCII_BREAKS)
    if not leading_digits:
        runs = _LEADING_DIGITS.sub(b" ", b" " + runs)  # runs are space-separated now
    return runs.decode("ascii").split()


def word_count(text: str) -> int:
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_SPACES, _ASCII_NOT_ALNUM).split())
    cjk, counted = _cjk_patterns()
    return len(cjk.findall(text)) + len(counted.findall(text))


def reading_minutes(text: str, words: int | None = None) -> int:
    """Minutes to read `text`; `words` is its word_count() when the caller has it already."""
    cjk = 0 if text.isascii() else len(_cjk_patterns()[0].findall(text))
    words = (word_count(text) if words is None else words) - cjk
    minutes = words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE
    return max(1, round(minutes))


# Each pattern stops its scan at the next place a match could start (another `[`, `(`, `{{`,
# `<!--`, or the same emphasis marker after a space), never at the end of the text: a scan to
# the end from every opener that has no closer made 100 KB of `{{% a` or `*a ` take a minute
# (and a megabyte, hours). A link destination may hold one pair of parentheses (Wikipedia's).
_INLINE_MARKUP = [  # (pattern, replacement, characters without which it cannot match)
    (re.compile(r"<!--(?:(?!<!--).)*?-->", re.S), "", "<!--"),
    (re.compile(r"!\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)"), r"\1", "!["),
    (re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)"), r"\1", "]("),
    (re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]"), r"\1", "]["),
    (re.compile(r"\[\^[^\[\]]+\]"), "", "[^"),
    (re.compile(r"<[^<>\n]+>"), "", "<"),  # not across another "<": linear on "a<a<a<..."
    (re.compile(r"\{\{[<%](?:(?!\{\{).)*?[%>]\}\}|\{%(?:(?!\{%).)*?%\}"), "", "{"),
    (re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)((?:(?!\s\1).)+?)(?<=\S)\1"), r"\2", None),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|&:=$])"), r"\1", "\\"),
    (re.compile(r"\{[#.][^{}]*\}\s*$"), "", "{"),
]
_EMPHASIS_CHARS = frozenset("*_~`")


_COUNTING_MARKUP = [m for m in _INLINE_MARKUP if m[2] not in (None, "\\")]


def text_for_counting(markdown: str) -> str:
    """markdown_to_text without the passes that cannot change a word count (emphasis markers
    and backslash escapes stay attached to their words): the whole body is counted."""
    return _plain(markdown, _COUNTING_MARKUP)


def markdown_to_text(markdown: str) -> str:
    """A rough plain-text rendering of inline Markdown, for summaries and descriptions."""
    return _plain(markdown, _INLINE_MARKUP)


def _plain(markdown: str, passes: list) -> str:
    text = markdown
    for pattern, repl, needs in passes:
        if needs is None:
            if _EMPHASIS_CHARS.isdisjoint(text):
                continue
        elif needs not in text:
            continue
        text = pattern.sub(repl, text)
    # runs of whitespace to one space: str.split() splits where the regex \s matches (both
    # use str.isspace), in C without a match object per run (a twentieth of the time)
    text = " ".join(text.split())
    return (html.unescape(text) if "&" in text else text).strip()


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose: not a heading, fence, list marker line, quote or table."""
    in_fence = None
    block: list[str] = []
    for line in markdown.split("\n"):
        fence = _FENCE.match(line)
        if in_fence:
            if fence and fence.group(1)[0] == in_fence:
                in_fence = None
            continue
        if fence:
            in_fence = fence.group(1)[0]
            continue
        stripped = line.strip()
        if not stripped:
            if block:
                break
            continue
        if not block and (
            stripped.startswith(
                ("#", "|", "<", "!!!", ":::", "[TOC]", "{{", "{%", "---", "***", "===")
            )
            or re.match(r"^!\[[^\]]*\]\([^)]*\)$", stripped)
        ):
            continue
        block.append(stripped.lstrip("> ").strip() if stripped.startswith(">") else stripped)
    return markdown_to_text(" ".join(block))


def summarize(text: str, limit: int = 200) -> str:
    """The text cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
