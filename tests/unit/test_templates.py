"""render/templates.py's Jinja environment: a dict's keys read as attributes as Jinja reads
them, by the shorter way."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from sitegen.config import SiteConfig
from sitegen.render.templates import make_environment


@pytest.fixture
def env() -> jinja2.Environment:
    return make_environment(SiteConfig(root=Path("/nonexistent")), {})


def test_a_key_reads_as_an_attribute(env: jinja2.Environment) -> None:
    page = {"title": "A & B", "url": "/a/", "tags": [{"name": "x"}]}
    out = env.from_string("{{ page.title }} {{ page.url }} {{ page.tags[0].name }}")
    assert out.render(page=page) == "A &amp; B /a/ x"


def test_a_dict_method_wins_over_a_key_of_its_name_as_in_jinja(env: jinja2.Environment) -> None:
    # front matter may hold `items:` or `keys:`; Jinja gives the dict's method first
    meta = {"items": [1, 2], "keys": "k", "b": 2}
    template = "{% for k, v in meta.items() %}{{ k }}{% endfor %} {{ meta.keys() | list | length }}"
    assert env.from_string(template).render(meta=meta) == "itemskeysb 3"
    plain = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert plain.from_string(template).render(meta=meta) == "itemskeysb 3"


def test_a_missing_key_is_still_an_error_naming_it(env: jinja2.Environment) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'dict object' has no attribute 'nope'"):
        env.from_string("{{ page.nope }}").render(page={"title": "t"})


def test_other_objects_go_jinjas_way(env: jinja2.Environment) -> None:
    class Named:
        title = "from the class"

    class Keyed(dict):
        pass

    out = env.from_string("{{ a.title }} {{ b.title }}").render(a=Named(), b=Keyed(title="k"))
    assert out == "from the class k"
