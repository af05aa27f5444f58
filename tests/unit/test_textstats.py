"""Word counts and reading time across scripts, and text safe to show inline (textstats.py)."""

from __future__ import annotations

import pytest

from sitegen.text.textstats import closed_bidi, reading_minutes, word_count


@pytest.mark.parametrize(
    "text, words",
    [
        ("Hello, world — again!", 3),
        ("北京是中国的首都。", 8),  # Chinese: one word per character, punctuation not counted
        ("「こんにちは」、世界！", 7),  # Japanese kana and kanji, full-width punctuation ignored
        ("東京は日本の首都です。", 10),
        ("مرحبا بالعالم هذا نص عربي", 5),  # Arabic separates words with spaces
        ("שלום עולם", 2),  # Hebrew
        ("서울은 한국의 수도입니다", 3),  # Korean too
        ("Привет, мир", 2),
        ("-- * |", 0),
    ],
)
def test_word_count_per_script(text, words):
    assert word_count(text) == words


def test_reading_time_uses_characters_for_chinese_and_words_elsewhere():
    assert reading_minutes("字" * 1000) == 2  # 500 characters a minute
    assert reading_minutes("word " * 440) == 2  # 220 words a minute
    assert reading_minutes("كلمة " * 660) == 3
    assert reading_minutes("") == 1


def test_counting_text_gives_the_same_word_count_as_the_full_plain_text() -> None:
    from sitegen.text.textstats import markdown_to_text, text_for_counting

    body = (
        "Some **bold** and _em_ text, `code`, a [link](https://x.org/a) and ![pic](p.png).\n\n"
        "snake_case_word \\*escaped\\* <b>tag</b> {{< shortcode >}} ~~gone~~ 3 * 4 = 12\n"
    )
    assert word_count(text_for_counting(body)) == word_count(markdown_to_text(body))


def _reference_count(text: str) -> int:
    """The definition: each CJK character, plus each whitespace run (split at CJK characters
    too) holding a character for which str.isalnum() is true."""
    import re

    from sitegen.text.textstats import _CJK_CHARS

    cjk = len(re.findall(f"[{_CJK_CHARS}]", text))
    runs = re.findall(f"[^\\s{_CJK_CHARS}]+", text)
    return cjk + sum(1 for run in runs if any(c.isalnum() for c in run))


def test_word_count_is_its_definition_for_every_character():
    from sitegen.text.textstats import word_count

    for code in range(0x110000):
        if 0xD800 <= code < 0xE000 or (code > 0x30000 and code % 97):
            continue  # surrogates; and a sample of the planes beyond the third
        c = chr(code)
        text = f"x {c} y{c}z {c}{c} “{c}”"
        assert word_count(text) == _reference_count(text), f"U+{code:04X}"
    assert word_count("don’t — stop “now” 日本語 ½ ²") == 8


def test_plain_text_folds_whitespace_as_the_regex_did() -> None:
    """markdown_to_text folds whitespace runs with str.split(); the result equals folding them
    with the regex \\s+ (then unescaping, then stripping), for every kind of space."""
    import html
    import random
    import re

    from sitegen.text.textstats import _INLINE_MARKUP, _plain

    def by_regex(text: str) -> str:
        for pattern, repl, _ in _INLINE_MARKUP:
            text = pattern.sub(repl, text)
        text = re.sub(r"\s+", " ", text)
        return (html.unescape(text) if "&" in text else text).strip()

    pieces = ["a", "word", "*em*", "&nbsp;", "&amp;", "&#32;", " ", "\t", "\n", "\x1c", "\x1f"]
    pieces += ["\xa0", "\u2028", "\u3000", "\x85", "\u200b", "[l](u)", "<b>", "\\*"]
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choices(pieces, k=rng.randrange(0, 12)))
        assert _plain(text, _INLINE_MARKUP) == by_regex(text), repr(text)


ASCII_PIECES = ["a", "Zz", "word", "2nd", "x9", "1999", "_", "-", " ", "\t", "\n", "\x1c", "\x7f"]
ASCII_PIECES += ["it's", "e-mail", "[l](u)", "http://x.y/z", "<b>", "*", "THE", "and", "A1b2"]


def random_ascii_texts(count: int, seed: int = 11):
    import random

    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choices(ASCII_PIECES, k=rng.randrange(0, 14)))


def test_ascii_words_are_the_regex_runs_of_letters_and_digits() -> None:
    import re

    from sitegen.text.textstats import ascii_words

    for text in random_ascii_texts(20_000):
        assert ascii_words(text) == re.findall(r"[^\W_]+", text.lower()), repr(text)
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    assert ascii_words("".join(map(chr, range(128)))) == ["0123456789", alphabet, alphabet]


def test_ascii_words_without_leading_digits_strip_each_run() -> None:
    from sitegen.text.textstats import ascii_words

    for text in random_ascii_texts(20_000, seed=14):
        stripped = [w for w in (t.lstrip("0123456789") for t in ascii_words(text)) if w]
        assert ascii_words(text, leading_digits=False) == stripped, repr(text)
    assert ascii_words("3rd 42 x1 _7up 1a2b", leading_digits=False) == ["rd", "x1", "up", "a2b"]


@pytest.mark.parametrize(
    "unit",
    ["[a](", "![a](", "![", "[^", "<!--", "{{<", "{{% a", "{% a", "{#", "*a ", "~~a ", "`a "],
)
def test_plain_text_of_openers_without_closers_takes_linear_time(unit: str) -> None:
    """Every opener without a closer scanned to the end of the text: 40 KB of `{{% a` took
    ten seconds and a megabyte hours, in every build of a page holding it."""
    import time

    from sitegen.text.textstats import markdown_to_text, text_for_counting

    text = unit * (40_000 // len(unit))
    started = time.perf_counter()
    markdown_to_text(text)
    text_for_counting(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("plain", "plain"),
        ("evil\u202e title", "evil\u202e title\u202c"),  # an override left open is closed
        ("ok\u202e x\u202c", "ok\u202e x\u202c"),
        ("a\u202b\u2067b", "a\u202b\u2067b\u2069\u202c"),  # innermost first
        ("a\u2066\u202eb\u2069", "a\u2066\u202eb\u2069"),  # an isolate's end closes what it holds
        ("stray\u202c\u2069", "stray\u202c\u2069"),
    ],
)
def test_open_bidi_controls_are_closed_at_the_end_of_a_value(text, closed):
    """A right-to-left override in a title turned the rest of each line showing it around."""
    assert closed_bidi(text) == closed
