"""Message catalogues and CLDR formatting (sitegen/text/i18n.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from sitegen.config import bundled_themes_dir
from sitegen.errors import SiteError
from sitegen.text.i18n import (
    Messages,
    format_date,
    format_number,
    message_problems,
    month_label,
)

THEME_I18N = bundled_themes_dir() / "default" / "i18n"
SHIPPED = [
    "en",
    "es",
    "ca",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "ar",
    "he",
    "fa",
    "ja",
    "zh",
    "ko",
    "ru",
    "uk",
    "pl",
    "tr",
]


def test_every_shipped_language_has_every_english_key():
    english = yaml.safe_load((THEME_I18N / "en.yaml").read_text(encoding="utf-8"))
    for code in SHIPPED:
        messages = yaml.safe_load((THEME_I18N / f"{code}.yaml").read_text(encoding="utf-8"))
        assert set(messages) == set(english), code
        for key, text in messages.items():
            fields = set(re.findall(r"{(\w+)}", str(english[key])))
            shown = " ".join(text.values()) if isinstance(text, dict) else text
            if key != "articles":  # plural forms may spell small numbers out
                assert all("{" + f + "}" in shown for f in fields), (code, key)


def test_catalan_says_temes_and_fallbacks_go_region_base_english(tmp_path):
    site = tmp_path / "i18n"
    site.mkdir()
    (site / "pt.yaml").write_text("archive: Hemeroteca\n", encoding="utf-8")
    (site / "pt-br.yaml").write_text("topics: Assuntos\n", encoding="utf-8")
    messages = Messages([THEME_I18N, site])
    assert messages.get("ca", "topics") == "Temes"
    assert messages.get("pt-br", "topics") == "Assuntos"  # the region's own file
    assert messages.get("pt-BR", "archive") == "Hemeroteca"  # the site's base-language file
    assert messages.get("pt-br", "search") == "Pesquisar"  # the theme's base language
    assert messages.get("xx", "search") == "Search"  # a language with no file: English
    with pytest.raises(KeyError):
        messages.get("en", "no_such_key")


def test_plural_forms_follow_each_languages_rules():
    messages = Messages([THEME_I18N])
    assert messages.get("en", "articles", count=1) == "1 article"
    assert messages.get("en", "articles", count=1200) == "1,200 articles"
    assert messages.get("ru", "articles", count=3) == "3 статьи"
    assert messages.get("ru", "articles", count=5) == "5 статей"
    assert messages.get("ru", "articles", count=21) == "21 статья"
    assert messages.get("ar", "articles", count=2) == "مقالان"
    assert messages.get("de", "articles", count=1200) == "1.200 Artikel"


def test_fields_missing_from_a_call_stay_visible():
    messages = Messages([THEME_I18N])
    assert messages.get("en", "tag_title") == "Tag: {name}"


def test_a_broken_site_message_file_names_itself(tmp_path):
    (tmp_path / "en.yaml").write_text("topics: [unclosed\n", encoding="utf-8")
    with pytest.raises(SiteError) as info:
        Messages([THEME_I18N, tmp_path]).get("en", "topics")
    assert str(info.value.path).endswith("en.yaml") and info.value.line


def test_an_alias_bomb_in_a_message_file_is_refused(tmp_path):
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 6)]
    (tmp_path / "en.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")
    with pytest.raises(SiteError, match="expands to more than 20000 values"):
        Messages([THEME_I18N, tmp_path]).get("en", "topics")


@pytest.mark.parametrize(
    "lang, fmt, expected",
    [
        ("en", "long", "February 20, 2017"),
        ("ca", "long", "20 de febrer del 2017"),
        ("es", "long", "20 de febrero de 2017"),
        ("ja", "long", "2017年2月20日"),
        ("fr", "medium", "20 févr. 2017"),
        ("ca", "%Y-%m-%d", "2017-02-20"),  # strftime: as written
        ("de", "d. MMMM y", "20. Februar 2017"),  # a CLDR pattern: localised
        ("pt-br", "long", "20 de fevereiro de 2017"),
        ("xx", "long", "February 20, 2017"),  # no CLDR data: English
    ],
)
def test_dates_come_from_cldr_unless_strftime(lang, fmt, expected):
    assert format_date(dt.datetime(2017, 2, 20, 9, 30), lang, fmt) == expected


def test_month_labels_and_numbers():
    assert month_label(2017, 2, "ca") == "febrer del 2017"
    assert month_label(2017, 2, "en") == "February 2017"
    assert format_number(12345, "fr").replace("\u202f", " ") == "12 345"


def test_messages_that_would_show_wrongly_are_named_at_their_line(tmp_path):
    """A field no page fills showed as written (`Archive {nope}`), a list as `['a', 'b']`, an
    unpaired brace as the text: each is named at its line; a key of one's own is checked only
    for its braces."""
    path = tmp_path / "en.yaml"
    path.write_text(
        'archive: "Archive {nope}"\n'
        "read_more: [a, b]\n"
        'older: "Older {"\n'
        "min_read:\n"
        '  one: "{count} minute"\n'
        '  other: "{count} minutes {x}"\n'
        'my_own: "Hello {name}"\n'
        'page_of: "{number} / {total}"\n'
        "newer: No\n"
        "older_posts: ~\n",
        encoding="utf-8",
    )
    english = Messages([bundled_themes_dir() / "default" / "i18n"]).catalog("en")
    found = [(e.line, e.message) for e in message_problems(path, english)]
    assert found == [
        (1, "message 'archive': {nope} is filled by no page and shows as written"),
        (2, "message 'read_more' is neither a text nor plural forms of one"),
        (3, "message 'older': braces that do not pair"),
        (4, "message 'min_read': {x} is filled by no page and shows as written"),
        (9, "message 'newer': No is read as true or false, not as text"),
        (10, "message 'older_posts': ~ is read as nothing, not as text"),
    ]
