from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import DEFAULT_TEASERS
from sitegen.errors import SiteError
from sitegen.ingest.seeds import decode_seed, escape_markdown, parse_seed
from sitegen.render.markdown import render_markdown
from sitegen.text.textstats import summarize
from tests.conftest import SAMPLE_SEED


def test_sample_seed_parts():
    text = decode_seed(SAMPLE_SEED.read_bytes(), SAMPLE_SEED)
    seed = parse_seed(text, SAMPLE_SEED, tuple(DEFAULT_TEASERS))
    assert seed.title.startswith("Watch a US-led strike knock out an ISIS tank")
    assert len(seed.paragraphs) == 24
    assert seed.paragraphs[-1].startswith("Mattis, who arrived in Iraq on Monday")
    assert seed.teasers == (
        "NOW WATCH: Footage reveals ISIS’ secret underground tunnels near Mosul",
    )
    assert seed.date is None and seed.tags == ()


def test_headers_crlf_bom_and_joined_lines():
    text = decode_seed(
        "\ufeffTitle here\r\nDate: 2020-05-01\r\nTags: a, b\r\n\r\nline one\r\nline two\r\n\r\nnext".encode(),
        "x",
    )
    seed = parse_seed(text, "x")
    assert seed.title == "Title here"
    assert seed.date == "2020-05-01" and seed.tags == ("a", "b")
    assert seed.paragraphs == ("line one line two", "next")


@pytest.mark.parametrize(
    "data,match",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Caf\xe9 title\n\nbody", "UTF-8"),
        (("x" * 500).encode(), "characters long"),
    ],
)
def test_bad_seeds(data, match):
    with pytest.raises(SiteError, match=match):
        parse_seed(decode_seed(data, "bad.txt"), "bad.txt")


def test_non_utf8_names_offset():
    with pytest.raises(SiteError) as info:
        decode_seed(b"Title\n\nabc\xff", "bad.txt")
    assert "offset 10" in str(info.value) and info.value.line == 3


def test_title_only_seed_warns():
    seed = parse_seed("Just a title\n", "t.txt")
    assert seed.paragraphs == () and seed.warnings


def _visible_text(markdown: str) -> str:
    import html
    import re

    out = render_markdown(markdown, raw_html=True).html
    assert out.startswith("<p>") and out.rstrip().endswith("</p>"), out
    return html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "*not emphasis* and _nor this_",
        "`code` <b>bold</b> &amp; [link](x)",
        "# not a heading",
        "> not a quote",
        "- not a list",
        "+ nor this",
        "1. not ordered",
        "2) nor this",
        "---",
        "***",
        "~~~",
        "!!! note",
        ":::warning",
        "{{< shortcode >}} {% liquid %}",
        "a \\ backslash",
        "[^1] footnote",
        "x <!--more--> y",
        "“Typographic” — dashes – and العربية",
    ],
)
def test_escaped_paragraph_renders_literally(text):
    assert _visible_text(escape_markdown(text)) == text


_paragraph = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u0085"
        ),
        min_size=1,
        max_size=80,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(max_examples=300, deadline=None)
@given(_paragraph)
def test_escape_roundtrip_property(text):
    assert _visible_text(escape_markdown(text)) == text


def test_summarize_cuts_at_word_boundary():
    text = "word " * 100
    out = summarize(text, 50)
    assert len(out) <= 50 and out.endswith("…") and not out[:-1].endswith(" ")
    assert summarize("short", 50) == "short"


def test_utf16_with_bom_is_decoded():
    data = "Título\r\n\r\nCuerpo del artículo.".encode("utf-16")
    seed = parse_seed(decode_seed(data, "u16.txt"), "u16.txt")
    assert seed.title == "Título" and seed.paragraphs == ("Cuerpo del artículo.",)


def test_binary_behind_a_utf16_bom_is_refused() -> None:
    with pytest.raises(SiteError, match="binary"):
        decode_seed(b"\xff\xfe\x00garbage\x00\x00", "seeds/bin.txt")
