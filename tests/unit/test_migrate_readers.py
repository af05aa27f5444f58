"""The configuration readers of `sitegen migrate`: each format's errors name the file and the
line; mkdocs.yml's Python tags are tolerated; pelicanconf.py is parsed, never run; address
patterns carry over; front matter keys are added in the file's own format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.ingest.migrate import (
    UsageError,
    astro,
    astro_posts,
    detect,
    eleventy,
    eleventy_config,
    eleventy_posts,
    hugo,
    jekyll,
    jsliterals,
    mdx,
    mkdocs,
    pelican,
)
from sitegen.ingest.migrate.astro_config import Collection
from sitegen.ingest.migrate.common import sitegen_pattern
from sitegen.ingest.migrate.configfiles import (
    read_json,
    read_python_settings,
    read_toml,
    read_yaml,
)
from sitegen.ingest.migrate.frontmatter_edit import add_keys
from sitegen.ingest.migrate.jsliterals import config_object, strip_comments
from sitegen.ingest.migrate.missing_images import image_found, published_url
from sitegen.ingest.migrate.plan import SourcePlan, clean_url, sitegen_makes, title_slug
from sitegen.ingest.migrate.titles import misspelt_title, needs_title, readable_name, title_for
from tests.unit.test_plan import make_article


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "hugo.toml", 'title = "x"\nbaseURL = \n')
    with pytest.raises(SiteError) as info:
        read_toml(path)
    assert info.value.path == path and info.value.line == 2
    assert str(info.value).startswith(f"{path}:2: invalid TOML")


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "_config.yml", "title: Log\npermalink: [unclosed\nurl: x\n")
    with pytest.raises(SiteError) as info:
        read_yaml(path)
    assert info.value.path == path and info.value.line == 3
    assert "invalid YAML" in info.value.message


def test_an_alias_bomb_in_another_generators_settings_is_refused(tmp_path: Path) -> None:
    """`sitegen migrate` reads the old site's settings: nine aliases of nine aliases expand
    to billions of values for whatever walks them."""
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 8)]
    path = write(tmp_path / "_config.yml", "title: Log\n" + "\n".join(levels) + "\n")
    with pytest.raises(SiteError, match="expands to more than 20000 values"):
        read_yaml(path)


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "hugo.json", '{\n  "title": "x",\n}\n')
    with pytest.raises(SiteError) as info:
        read_json(path)
    assert info.value.line == 3


def test_mkdocs_python_tags_are_read_as_text_not_run(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mkdocs.yml",
        "site_name: Lab\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/object/apply:os.system ['touch x']\n"
        "copyright: !ENV [COPYRIGHT, 'none']\n",
    )
    values = read_yaml(path).values
    emoji = values["markdown_extensions"][0]["pymdownx.emoji"]
    assert emoji["emoji_index"] == ""
    assert emoji["emoji_generator"] == ["touch x"]
    assert values["copyright"] == ["COPYRIGHT", "none"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("directory_urls", "addresses"),
    [
        (
            True,
            {
                "about.md": "/about/",
                "guide/setup.md": "/guide/setup/",
                "guide/README.md": "/guide/",
            },
        ),
        (
            False,
            {
                "about.md": "/about.html",
                "guide/setup.md": "/guide/setup.html",
                "guide/README.md": "/guide/",
            },
        ),
    ],
)
def test_mkdocs_documentation_pages_move_at_their_addresses(
    tmp_path: Path, directory_urls: bool, addresses: dict[str, str]
) -> None:
    write(
        tmp_path / "mkdocs.yml",
        f"site_name: Lab\nuse_directory_urls: {str(directory_urls).lower()}\nplugins: [blog]\n",
    )
    for rel in [*addresses, "index.md", "blog/index.md", "blank.md"]:
        write(tmp_path / "docs" / rel, "" if rel == "blank.md" else "# A page\n\nText.\n")
    plan = mkdocs.read_site(tmp_path)
    moved = {p.rel: p.old_url for p in plan.posts if p.add_meta.get("listed") is False}
    assert moved == addresses
    left = dict(plan.left_behind)
    assert "home page" in left["docs/index.md"]
    assert "blog's index" in left["docs/blog/index.md"]
    assert "no text" in left["docs/blank.md"]


def test_pelicanconf_is_parsed_never_run(tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    path = write(
        tmp_path / "pelicanconf.py",
        "import os\n"
        "SITENAME = 'Notes'\n"
        "DEFAULT_PAGINATION = 5\n"
        "STATIC_PATHS = ['images', 'extra']\n"
        "EXTRA = {'a': (1, 2)}\n"
        f"open({str(canary)!r}, 'w').write('x')\n"
        f"MARKER = os.system('touch {canary}')\n"
        "SITEURL = SITENAME.lower()\n"
        "def f():\n    return 1\n",
    )
    cfg = read_python_settings(path)
    assert cfg.values == {
        "SITENAME": "Notes",
        "DEFAULT_PAGINATION": 5,
        "STATIC_PATHS": ["images", "extra"],
        "EXTRA": {"a": (1, 2)},
    }
    assert not canary.exists()
    skipped = {(line, name) for line, name, _ in cfg.skipped}
    assert (1, "import os") in skipped and (7, "MARKER") in skipped and (8, "SITEURL") in skipped
    assert any(line == 6 for line, _ in skipped) and any(line == 9 for line, _ in skipped)


def test_pelicanconf_syntax_error_names_line(tmp_path: Path) -> None:
    path = write(tmp_path / "pelicanconf.py", "SITENAME = 'x'\nPATH = (\n")
    with pytest.raises(SiteError) as info:
        read_python_settings(path)
    assert info.value.path == path and info.value.line == 2


def test_hugo_config_folder_is_merged(tmp_path: Path) -> None:
    write(tmp_path / "config/_default/hugo.toml", 'baseURL = "https://example.org/"\ntitle = "T"\n')
    write(tmp_path / "config/_default/params.yaml", "description: From params\n")
    write(tmp_path / "config/_default/permalinks.toml", 'posts = "/:year/:slug/"\n')
    write(tmp_path / "content/posts/a.md", "---\ntitle: A\ndate: 2024-01-02\n---\n\nText.\n")
    assert detect(tmp_path)[0] == "Hugo"
    plan = hugo.read_site(tmp_path)
    assert plan.settings["title"] == "T"
    assert plan.settings["description"] == "From params"
    assert plan.permalink == "/{year}/{slug}/"
    assert [p.old_url for p in plan.posts] == ["/2024/a/"]


def test_hugo_old_addresses_are_paths_as_hugo_sanitized_them(tmp_path: Path) -> None:
    """Hugo drops from a page's path what is not a letter, digit, mark or one of `./_#+~-@`
    and makes white space one hyphen: the old addresses are those, not the file names."""
    write(tmp_path / "hugo.toml", 'baseURL = "https://example.org/"\n')
    for name in ("Reference、Doc、Snapshot", "ページ・セクション数", "Google gcloud (v2) tips!"):
        write(
            tmp_path / f"content/post/GCP/{name}.md", "---\ntitle: T\ndate: 2021-07-25\n---\nA.\n"
        )
    plan = hugo.read_site(tmp_path)
    assert sorted(p.old_url for p in plan.posts) == [
        "/post/gcp/google-gcloud-v2-tips/",
        "/post/gcp/referencedocsnapshot/",
        "/post/gcp/ページセクション数/",
    ]
    assert hugo.hugo_path("a - b/%E3%81 c.d") == "a-b/%E3%81-c.d"


def test_hugo_languages_are_read_from_every_place_hugo_keeps_them(tmp_path: Path) -> None:
    """One language in `languageCode` (its region kept); one file per language in
    config/_default/ (`label` as the name); the title of the default language's table when
    the site has none of its own."""
    write(tmp_path / "one/hugo.toml", 'languageCode = "zh-CN"\ntitle = "博客"\n')
    write(tmp_path / "one/content/posts/a.md", "---\ntitle: A\n---\nText.\n")
    write(tmp_path / "split/content/posts/a.md", "---\ntitle: A\n---\nText.\n")
    one = hugo.read_site(tmp_path / "one")
    assert one.settings["language"] == "zh-cn" and not one.languages
    split = tmp_path / "split/config/_default"
    write(split / "hugo.toml", 'defaultContentLanguage = "zh-cn"\n')
    write(split / "languages.zh-cn.toml", 'weight = 1\nlabel = "简体中文"\ntitle = "菠菜"\n')
    write(split / "languages.en.toml", "weight = 3\n")
    write(split / "params.en.toml", 'description = "English only"\n')
    plan = hugo.read_site(tmp_path / "split")
    assert plan.languages == [{"code": "zh-cn", "name": "简体中文"}, {"code": "en"}]
    assert plan.settings["title"] == "菠菜"
    assert "description" not in plan.settings


def test_hugo_a_file_named_for_its_language_wins_over_its_language_folder(
    tmp_path: Path,
) -> None:
    """`index.en.md` kept in the default language's content folder is English, as Hugo reads
    it: its old address is below /en/, not the original's (any letter case of the code)."""
    write(
        tmp_path / "hugo.toml",
        'defaultContentLanguage = "zh-CN"\n[languages.zh-CN]\nweight = 1\n'
        'contentDir = "content/zh"\n[languages.en]\nweight = 2\n',
    )
    for name in ("index.md", "index.en.md", "index.EN.md"):
        folder = "trip" if name != "index.EN.md" else "walk"
        write(tmp_path / f"content/zh/posts/{folder}/{name}", "---\ntitle: T\n---\nText.\n")
    plan = hugo.read_site(tmp_path)
    found = {(p.rel, p.lang, p.old_url) for p in plan.posts}
    assert found == {
        ("zh/posts/trip/index.md", "zh-cn", "/posts/trip/"),
        ("zh/posts/trip/index.en.md", "en", "/en/posts/trip/"),
        ("zh/posts/walk/index.EN.md", "en", "/en/posts/walk/"),
    }


@pytest.mark.parametrize("fence", ["+++", "---"])
def test_hugo_and_zola_front_matter_below_blank_lines_is_read(tmp_path: Path, fence) -> None:
    """Hugo and Zola read front matter after blank lines; the moved copy has it on top, the
    body's lines where they were."""
    value = '"Late"' if fence == "+++" else "Late"
    sep = " = " if fence == "+++" else ": "
    text = f"\n \n{fence}\ntitle{sep}{value}\ndate{sep}2024-03-04\n{fence}\nBody.\n"
    write(tmp_path / "h/hugo.toml", 'baseURL = "https://example.org/"\n')
    write(tmp_path / "h/content/posts/late.md", text)
    write(tmp_path / "z/config.toml", 'base_url = "https://example.org"\n')
    write(tmp_path / "z/content/late.md", text)
    for plan in (hugo.read_site(tmp_path / "h"), detect(tmp_path / "z")[1](tmp_path / "z")):
        (post,) = plan.posts
        assert post.text is not None
        moved = split_front_matter(post.text, "late.md")
        assert moved.meta["title"] == "Late" and moved.body_line == 5
        assert post.text.split("\n")[6] == text.split("\n")[6] == "Body."
    assert hugo.read_site(tmp_path / "h").posts[0].old_url == "/posts/late/"
    untouched = tmp_path / "h/content/posts/rule.md"
    write(untouched, "---\ntitle: R\n---\n\n---\nNo second rule.\n")
    rule = [p for p in hugo.read_site(tmp_path / "h").posts if p.src == untouched]
    assert rule[0].text is None  # front matter on top already: moved as it is


def test_zola_and_hugo_config_toml_are_told_apart(tmp_path: Path) -> None:
    write(tmp_path / "z/config.toml", 'base_url = "https://example.org"\n')
    write(tmp_path / "h/config.toml", 'baseURL = "https://example.org/"\n')
    assert detect(tmp_path / "z")[0] == "Zola"
    assert detect(tmp_path / "h")[0] == "Hugo"
    with pytest.raises(UsageError):
        detect(tmp_path)


def test_jekyll_permalink_styles_and_defaults(tmp_path: Path) -> None:
    assert (
        jekyll._posts_pattern({"permalink": "pretty"}) == "/:categories/:year/:month/:day/:title/"
    )
    assert jekyll._posts_pattern({}) == "/:categories/:year/:month/:day/:title:output_ext"
    conf = {"defaults": [{"scope": {"type": "posts"}, "values": {"permalink": "/blog/:title/"}}]}
    assert jekyll._posts_pattern(conf) == "/blog/:title/"
    # a later default for another collection (Chirpy's tabs) over the whole site is not
    # the posts': path and type must both fit
    tabs = {"scope": {"path": "", "type": "tabs"}, "values": {"permalink": "/:title/"}}
    assert jekyll._posts_pattern({"defaults": [*conf["defaults"], tabs]}) == "/blog/:title/"
    everything = {"scope": {"path": ""}, "values": {"permalink": "/all/:title/"}}
    assert jekyll._posts_pattern({"defaults": [everything]}) == "/all/:title/"


def test_patterns_carry_over() -> None:
    assert sitegen_pattern("/:year/:month/:day/:title.html") == (
        "/{year}/{month}/{day}/{slug}/",
        False,
    )
    assert sitegen_pattern("/:year/:month/:slug/") == ("/{year}/{month}/{slug}/", True)
    assert sitegen_pattern("/:sections/:title/") is None  # no sitegen field for :sections
    assert sitegen_pattern("/:year/") is None  # no slug


def test_mkdocs_plugins_in_every_shape() -> None:
    assert mkdocs._plugins({"plugins": ["search", {"material/blog": {"blog_dir": "."}}]}) == {
        "search": {},
        "blog": {"blog_dir": "."},
    }
    assert mkdocs._plugins({"plugins": {"blog": None}}) == {"blog": {}}
    assert mkdocs._strftime("yyyy/MM/dd") == "%Y/%m/%d"


def test_pelican_url_pattern_without_str_format() -> None:
    date = dt.datetime(2023, 7, 14)
    assert pelican.fill("posts/{date:%Y}/{date:%m}/{slug}/", {"slug": "s", "date": date}) == (
        "posts/2023/07/s/"
    )
    assert pelican.fill("{slug.__class__}.html", {"slug": "s"}) is None
    assert pelican.fill("{category}/{slug}.html", {"slug": "s"}) is None


def test_slugs_and_urls() -> None:
    assert title_slug("Calibration check!") == "calibration-check"
    assert title_slug("初めての光") == "初めての光"
    assert clean_url("posts//a/index.html") == "/posts/a/"
    assert clean_url("2016/05/09/survey.html") == "/2016/05/09/survey.html"


@pytest.mark.parametrize(
    "text, first_lines",
    [
        (
            "---\ntitle: A\naliases: [/x/]\nslug: a\n---\nBody\n",
            ["---", 'aliases: ["/x/", "/y/"]', "title: A", "slug: a"],
        ),
        (
            "---\ntitle: A\naliases:\n  - /x/\nslug: a\n---\nBody\n",
            ["---", 'aliases: ["/x/", "/y/"]', "title: A", "slug: a"],
        ),
        (
            '+++\ntitle = "A"\n[taxonomies]\ntags = ["t"]\n+++\nBody\n',
            ["+++", 'aliases = ["/x/", "/y/"]', 'title = "A"', "[taxonomies]"],
        ),
        (
            "Title: A\nDate: 2020-01-01\n\nBody\n",
            ["Title: A", "Aliases: /x/, /y/", "Date: 2020-01-01", ""],
        ),
        ("# A\n\nBody\n", ["---", 'aliases: ["/x/", "/y/"]', "---", ""]),
        (  # the first key on the fence's line, as Hugo reads it: put on its own
            "---tags:\n- a\ntitle: A\n---\n\nBody\n",
            ["---", 'aliases: ["/x/", "/y/"]', "tags:", "- a", "title: A", "---"],
        ),
    ],
)
def test_front_matter_keys_in_the_files_own_format(text: str, first_lines: list[str]) -> None:
    out = add_keys(text, {"aliases": ["/x/", "/y/"]})
    assert out.split("\n")[: len(first_lines)] == first_lines
    fm = split_front_matter(out, "x.md")
    aliases = fm.meta.get("aliases") or fm.meta.get("Aliases")
    assert aliases in (["/x/", "/y/"], "/x/, /y/")
    assert fm.body.strip().endswith("Body")


def test_front_matter_keys_json_and_crlf() -> None:
    out = add_keys('{\n  "title": "A",\n  "Slug": "old"\n}\n\nBody\n', {"slug": "new"})
    data, _ = json.JSONDecoder().raw_decode(out)
    assert data == {"title": "A", "slug": "new"} and out.endswith("\n\nBody\n")
    crlf = add_keys("---\r\ntitle: A\r\n---\r\nBody\r\n", {"slug": "a"})
    assert crlf == '---\r\nslug: "a"\r\ntitle: A\r\n---\r\nBody\r\n'


@pytest.mark.parametrize(
    "name, text",
    [
        ("_config.yml", "title: x\ndefaults: 5\n"),
        (
            "hugo.toml",
            'title = "x"\nlanguages = ["en"]\npermalinks = 3\n[params]\nmainSections = 4\n',
        ),
        ("mkdocs.yml", "site_name: x\nplugins: blog\n"),
        ("pelicanconf.py", "PATH = 5\n"),
        ("_config.yml", "- just\n- a list\n"),
        ("astro.config.mjs", "export default defineConfig({ site: [1], i18n: 3, build: 'x' })\n"),
    ],
)
def test_odd_values_are_messages_not_tracebacks(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path / name, text)
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "a.md").write_text("---\ntitle: A\n---\nx\n", "utf-8")
    _, read = detect(tmp_path)
    try:
        read(tmp_path)
    except SiteError as exc:
        assert exc.path is not None and str(exc.path).startswith(str(tmp_path))


@pytest.mark.parametrize(
    ("url", "made"),
    [
        ("/", True),
        ("/404.html", True),
        ("/ja/404.html", True),
        ("/search/", True),
        ("/pt-br/tags/", True),
        ("/feed.xml", True),
        ("/about/", False),
        ("/me/", False),  # two letters, but no page of sitegen's below them
        ("/pages/about.html", False),
        ("/archive/2020/", False),
    ],
)
def test_addresses_where_sitegen_makes_its_own_pages(url: str, made: bool) -> None:
    assert sitegen_makes(url) is made


def test_jekyll_reads_the_posts_collections_permalink_included_folders_and_source(
    tmp_path: Path,
) -> None:
    """jekyllrb.com's own settings: the posts collection's permalink over the site's, a
    `_pages` folder named in `include:`, and a site read from `source:` (files beside that
    folder, such as README.md or netlify.toml, are not part of the site)."""
    write(
        tmp_path / "_config.yml",
        "title: News\nsource: site\npermalink: pretty\ninclude: [_pages]\n"
        "collections:\n  posts:\n    permalink: /news/:year/:month/:day/:title/\n    output: true\n",
    )
    write(tmp_path / "README.md", "# The repository\n")
    write(tmp_path / "netlify.toml", "[build]\n")
    write(tmp_path / "site" / "_posts" / "2013-05-06-released.md", "---\ntitle: Out\n---\nText.\n")
    write(tmp_path / "site" / "_pages" / "about.md", "---\npermalink: /about/\n---\nAbout us.\n")
    write(tmp_path / "site" / "_layouts" / "post.html", "{{ content }}\n")
    write(tmp_path / "site" / "logo.png", "png")
    plan = jekyll.read_site(tmp_path)
    addresses = {p.rel: p.old_url for p in plan.posts}
    assert addresses == {
        "_posts/2013-05-06-released.md": "/news/2013/05/06/released/",
        "_pages/about.md": "/about/",
    }
    assert [dest for _, dest in plan.files] == ["static/logo.png"]
    assert any(path == "site/_layouts" for path, _ in plan.left_behind)


def test_jekyll_source_folder_that_is_not_there_is_an_error_at_its_line(tmp_path: Path) -> None:
    """made-mistakes reads its site from `source: .tmp/src`, made by its own build script:
    migrating the repository instead would publish its README and netlify.toml."""
    write(tmp_path / "_config.yml", "title: T\nsource: .tmp/src\n")
    with pytest.raises(SiteError) as caught:
        jekyll.read_site(tmp_path)
    assert caught.value.line == 2 and ".tmp/src" in caught.value.message


def test_jekyll_values_the_posts_show_are_carried_into_extra(tmp_path: Path) -> None:
    """jekyllrb.com's news link to `{{ site.repository }}/issues/1321`: the value goes to
    `extra:`, where the build reads it, so the link leads where it did."""
    write(
        tmp_path / "_config.yml",
        "title: T\nrepository: https://github.com/jekyll/jekyll\nunused: x\nurl: https://e.org\n",
    )
    write(
        tmp_path / "_posts" / "2013-07-24-released.md",
        "---\ntitle: R\n---\n[bug]({{ site.repository }}/issues/1321) on {{ site.url }}\n",
    )
    plan = jekyll.read_site(tmp_path)
    assert plan.settings["extra"] == {"repository": "https://github.com/jekyll/jekyll"}


# --- Astro: JavaScript configuration read as text, Astro's ids, JavaScript's dates, MDX -------


def test_astro_configuration_is_read_as_text_never_run() -> None:
    text = strip_comments(
        "import { defineConfig } from 'astro/config';\n"
        "const BASE = '/journal';\n"
        "// site: 'https://commented-out.example.net',\n"
        "/* trailingSlash: 'always', */\n"
        "export default defineConfig({\n"
        "  'site': 'https://example.org', // the live one, its key quoted\n"
        "  base: `${BASE}`,\n"
        "  build: { format: 'file', assets: '_x' },\n"
        "  i18n: { defaultLocale: 'en', locales: ['en', { path: 'es', codes: ['es'] }] },\n"
        "  integrations: [mdx(), sitemap({ filter: (p) => !p.endsWith('/x') })],\n"
        "  vite: { plugins: [{ site: 'https://nested.example.com' }] },\n"
        "  output: process.env.OUTPUT,\n"
        "});\n"
    )
    conf = config_object(text)
    names = jsliterals.constants(text)
    assert conf is not None and "commented-out" not in conf
    assert jsliterals.value(conf, "site", names) == "https://example.org"  # not the nested one
    assert jsliterals.value(conf, "base", names) == "/journal"
    assert jsliterals.value(conf, "trailingSlash", names) is None
    build = jsliterals.value(conf, "build", names)
    assert jsliterals.value(build.text, "format", names) == "file"
    i18n = jsliterals.value(conf, "i18n", names)
    locales = jsliterals.value(i18n.text, "locales", names)
    assert locales[0] == "en" and jsliterals.value(locales[1].text, "path", names) == "es"
    assert jsliterals.value(conf, "output", names) == jsliterals.Code("process.env.OUTPUT")
    assert isinstance(jsliterals.value(conf, "integrations", names), jsliterals.Code)
    assert config_object("export default config;\n") is None


def test_astro_site_from_the_constants_file_and_what_is_not_read(tmp_path: Path) -> None:
    """AstroPaper's `site: SITE.website` names src/config.ts; a value that is code is said to
    be not read; `trailingSlash` and `build.format` are reported."""
    write(
        tmp_path / "astro.config.ts",
        'import { SITE } from "./src/config";\n'
        "export default defineConfig({ site: SITE.website, base: '/notes',\n"
        "  trailingSlash: 'never', integrations: [mdx(), sitemap()] });\n",
    )
    write(
        tmp_path / "src/config.ts",
        'export const SITE = {\n  website: "https://paper.example.dev/", // yours\n'
        '  title: "Paper", desc: "Notes.", timezone: "Asia/Bangkok",\n} as const;\n',
    )
    write(tmp_path / "src/pages/posts/first.md", "---\ntitle: First\ndate: 2024-01-02\n---\nx\n")
    plan = astro.read_site(tmp_path)
    assert plan.settings["base_url"] == "https://paper.example.dev/notes/"
    assert plan.settings["title"] == "Paper" and plan.settings["description"] == "Notes."
    assert plan.settings["timezone"] == "Asia/Bangkok"
    rows = {s.source_key: s for s in plan.report}
    assert rows["trailingSlash"].target is None and rows["integrations"].value == "mdx, sitemap"
    write(tmp_path / "astro.config.ts", "export default defineConfig({ site: process.env.URL });\n")
    rows = {s.source_key: s for s in astro.read_site(tmp_path).report}
    assert rows["site"].value == "process.env.URL" and rows["site"].target is None


@pytest.mark.parametrize(
    ("rel", "slug"),
    [
        ("first-post.md", "first-post"),
        ("field-notes/Winter Storm Log.md", "field-notes/winter-storm-log"),
        ("guide/index.mdx", "guide"),
        ("index.md", "index"),
        ("C++ tips: a primer!.md", "c-tips-a-primer"),
        ("v1.2 (beta).md", "v12-beta"),
        ("two  spaces_and-dash.md", "two--spaces_and-dash"),
        ("Über uns.md", "über-uns"),
        ("初めての光.md", "初めての光"),
        ("emoji 🎉 party.md", "emoji--party"),
    ],
)
def test_astro_entry_ids_are_slugified_per_segment(rel: str, slug: str) -> None:
    assert astro.entry_slug(rel) == slug


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Jul 08 2022", dt.date(2022, 7, 8)),  # the blog starter's pubDate
        ("July 8, 2022", dt.date(2022, 7, 8)),
        ("08 Jul 2022", dt.date(2022, 7, 8)),
        ("2022/07/08", dt.date(2022, 7, 8)),
        ("07/08/2022", dt.date(2022, 7, 8)),  # month first, as JavaScript reads it
        ("2022-07-08", dt.date(2022, 7, 8)),
        ("2022-07-08T10:30:00Z", dt.datetime(2022, 7, 8, 10, 30, tzinfo=dt.UTC)),
        ("Fri, 08 Jul 2022 10:30:00 GMT", dt.datetime(2022, 7, 8, 10, 30, tzinfo=dt.UTC)),
        ("Jul 08 2022 10:30", dt.datetime(2022, 7, 8, 10, 30)),
        ("next Tuesday", None),
        ("", None),
    ],
)
def test_dates_as_javascript_reads_them(text: str, read: dt.date | None) -> None:
    assert jsliterals.js_date(text) == read


def test_astro_dates_become_keys_sitegen_reads() -> None:
    assert astro_posts.date_edits({"pubDate": "Jul 08 2022"}) == {"pubDate": "2022-07-08"}
    assert astro_posts.date_edits({"pubDate": "2022-07-08"}) == {}  # read as it is
    assert astro_posts.date_edits({"pubDate": dt.date(2022, 7, 8)}) == {}
    moment = dt.datetime(2022, 9, 23, 15, 22, tzinfo=dt.UTC)
    assert astro_posts.date_edits({"pubDatetime": moment, "modDatetime": None}) == {
        "date": "2022-09-23T15:22:00+00:00"
    }
    assert astro_posts.date_edits({"pubDate": "Jan 20 2023", "updatedDate": "Oct 02 2023"}) == {
        "pubDate": "2023-01-20",
        "updated": "2023-10-02",
    }
    assert astro_posts.date_edits({"published": True, "publishedAt": "Mar 01 2024"}) == {
        "date": "2024-03-01"
    }
    # snake case, and the date first in the name: a schema's `date_published: z.date()`
    assert astro_posts.date_edits(
        {"date_published": dt.date(2023, 10, 1), "date_edited": "Nov 05 2023"}
    ) == {"date": "2023-10-01", "updated": "2023-11-05"}
    assert astro_posts.date_edits({"pub_date": "2021-02-03"}) == {"date": "2021-02-03"}


def test_glob_patterns_of_the_loader() -> None:
    both = jsliterals.glob_regex("**/*.{md,mdx}")
    assert [bool(both.match(p)) for p in ("a.md", "x/y/b.mdx", "a.mdown", "a.md.bak")] == [
        True,
        True,
        False,
        False,
    ]
    visible = jsliterals.glob_regex("./**/[^_]*.md")
    assert [bool(visible.match(p)) for p in ("a.md", "x/a.md", "_a.md", "x/_a.md")] == [
        True,
        True,
        False,
        False,
    ]


def test_mdx_becomes_markdown_line_for_line() -> None:
    text = (
        "---\ntitle: T\n---\n\n"  # 1-4
        "import Chart from '../components/Chart.astro';\n"  # 5
        "export const rows = [\n  1,\n];\n\n"  # 6-9
        "Intro {props.count} text, `{kept}` code.\n\n"  # 10-11
        "<Chart data={[1, 2]} onHover={() => x > 1} />\n\n"  # 12-13
        '<Tabs>\n  <Tab label="a">\n    **Inside** a tab.\n  </Tab>\n</Tabs>\n\n'  # 14-19
        '{/* a comment */}\n<p className="lead" style={{ color: "red" }}>Lead</p>\n\n'  # 20-22
        "```jsx\n<Chart />\n```\n"  # 23-25
    )
    moved, found = mdx.to_markdown(text)
    assert moved.count("\n") == text.count("\n")
    lines = moved.split("\n")
    assert lines[:4] == ["---", "title: T", "---", ""]
    assert lines[4:9] == ["", "", "", "", ""]
    assert lines[9] == "Intro  text, `{kept}` code."
    assert lines[15] == "**Inside** a tab."  # unindented: MDX reads no indented code
    assert lines[20] == '<p class="lead" style="color: red">Lead</p>'
    assert lines[22:25] == ["```jsx", "<Chart />", "```"]
    assert [(line, construct.split(" '")[0]) for line, construct, _ in found] == [
        (6, "MDX export"),
        (10, "MDX expression"),
        (12, "MDX component <Chart />"),
        (14, "MDX component <Tabs>"),
        (15, "MDX component <Tab>"),
    ]


def test_astro_collections_routes_and_addresses(tmp_path: Path) -> None:
    """AstroPaper's layout: the glob base built from a constant, `_` files left out by the
    pattern; the post route beside a paginated one and a tag route; a second collection
    that no page shows one by one stays behind; a `build.format: 'file'` page address."""
    write(
        tmp_path / "astro.config.mjs",
        "export default { site: 'https://e.org', build: { format: 'file' } }\n",
    )
    write(
        tmp_path / "src/content.config.ts",
        'export const BLOG_PATH = "src/data/blog";\n'
        "const blog = defineCollection({\n"
        '  loader: glob({ pattern: "**/[^_]*.md", base: `./${BLOG_PATH}` }),\n'
        "});\n"
        "const authors = defineCollection({ loader: glob({ pattern: '*.md', base: 'src/authors' }) });\n"
        "export const collections = { blog, authors };\n",
    )
    write(tmp_path / "src/data/blog/hello-world.md", "---\ntitle: Hi\n---\nx\n")
    write(tmp_path / "src/data/blog/2024/Second Post.md", "---\ntitle: Two\n---\nx\n")
    write(tmp_path / "src/data/blog/custom.md", "---\ntitle: C\nslug: my-own\n---\nx\n")
    write(tmp_path / "src/data/blog/_unlisted.md", "---\ntitle: U\n---\nx\n")
    write(tmp_path / "src/authors/ada.md", "---\ntitle: Ada\n---\nx\n")
    show = "const { Content } = await render(post);\n"
    write(tmp_path / "src/pages/posts/[...slug]/index.astro", f"getCollection('blog')\n{show}")
    write(
        tmp_path / "src/pages/posts/[...page].astro",
        "getCollection('blog'); paginate(p, { pageSize: 3 })",
    )
    write(tmp_path / "src/pages/tags/[tag].astro", "getCollection('blog') // lists a tag's posts")
    write(tmp_path / "src/pages/about.md", "---\ntitle: About\n---\nUs.\n")
    plan = astro.read_site(tmp_path)
    assert plan.permalink == "/posts/{slug}/" and plan.settings["per_page"] == 3
    assert {p.rel: p.old_url for p in plan.posts} == {
        "blog/hello-world.md": "/posts/hello-world.html",
        "blog/2024/Second Post.md": "/posts/2024/second-post.html",
        "blog/custom.md": "/posts/my-own.html",
        "pages/about.md": "/about.html",
    }
    left = dict(plan.left_behind)
    assert "glob pattern" in left["src/data/blog/_unlisted.md"]
    assert "collection authors" in left["src/authors"]
    assert "renders the posts" in left["src/pages/posts/[...slug]/index.astro"]
    assert "list of posts" in left["src/pages/tags/[tag].astro"]


def test_astro_configuration_problems_name_the_file(tmp_path: Path) -> None:
    write(tmp_path / "astro.config.mjs", "export default {}\n")
    (tmp_path / "src").mkdir()
    with pytest.raises(SiteError) as caught:
        astro.read_site(tmp_path)
    assert caught.value.path == tmp_path / "astro.config.mjs" and "no posts" in caught.value.message
    write(tmp_path / "src/content.config.ts", "const blog = defineCollection({});\n")
    with pytest.raises(SiteError) as caught:
        astro.read_site(tmp_path)
    assert caught.value.path == tmp_path / "src/content.config.ts"
    (tmp_path / "astro.config.mjs").write_bytes(b"export default { site: '\xff' }\n")
    with pytest.raises(SiteError) as caught:
        astro.read_site(tmp_path)
    assert caught.value.path == tmp_path / "astro.config.mjs" and "UTF-8" in caught.value.message
    assert detect(tmp_path)[0] == "Astro"


# --- Eleventy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        # Eleventy 3: the options as a named export beside the configuration function
        'export default function (c) {}\nexport const config = {\n  dir: { input: "src", '
        'includes: "../parts", data: "../globals", output: "dist" },\n  pathPrefix: "/log/",\n'
        '  markdownTemplateEngine: "njk",\n};\n',
        # older: returned from the function, the folders a constant of the same file
        'const DIRS = { input: "src", includes: "../parts", data: "../globals", '
        'output: "dist" };\n// dir: { input: "commented-out" },\nmodule.exports = function (c) '
        '{\n  return { dir: DIRS, pathPrefix: "log", markdownTemplateEngine: "njk" };\n};\n',
        # Eleventy 3's setters
        'export default function (c) {\n  c.setInputDirectory("src");\n  c.setIncludesDirectory'
        '("../parts");\n  c.setDataDirectory("../globals");\n  c.setOutputDirectory("dist");\n'
        '}\nexport const config = { pathPrefix: "/log", markdownTemplateEngine: "njk" };\n',
        # a helper inside the function builds an object with `dir:` too (never returned): the
        # least nested one is the configuration's, though a regular expression's quote and
        # brackets come between
        "module.exports = function (c) {\n  function helper() {\n    return { dir: { input: "
        '"." } };\n  }\n  c.addFilter("bare", (s) => s.replace(/[("{]/g, ""));\n'
        '  return {\n    dir: { input: "src", includes: "../parts", data: '
        '"../globals", output: "dist" },\n    pathPrefix: "log",\n    markdownTemplateEngine: '
        '"njk",\n  };\n};\n',
    ],
)
def test_eleventy_folders_are_read_from_the_configuration_text(tmp_path: Path, config: str) -> None:
    write(tmp_path / "eleventy.config.js", config)
    write(tmp_path / "src/notes/one.md", "---\ntitle: One\ndate: 2024-01-02\n---\nText.\n")
    plan = SourcePlan("Eleventy", tmp_path, [])
    site = eleventy_config.read_config(plan, tmp_path, tmp_path / "eleventy.config.js")
    assert site.input == tmp_path / "src" and site.output == tmp_path / "dist"
    assert site.includes == site.layouts == tmp_path / "parts"
    assert site.data == tmp_path / "globals"
    assert site.path_prefix == "log" and site.engine == "njk"


def test_eleventy_passthrough_copies_and_a_missing_input_folder(tmp_path: Path) -> None:
    write(
        tmp_path / "eleventy.config.js",
        "module.exports = function (c) {\n"
        '  c.addPassthroughCopy({ "./public/": "/", media: "/files" });\n'
        '  c.addPassthroughCopy("src/img");\n'
        '  c.addPassthroughCopy(["fonts"]);\n'
        "  c.addPassthroughCopy(someFolder);\n"
        '  return { dir: { input: "src" } };\n};\n',
    )
    (tmp_path / "src").mkdir()
    plan = SourcePlan("Eleventy", tmp_path, [])
    site = eleventy_config.read_config(plan, tmp_path, tmp_path / "eleventy.config.js")
    assert site.passthrough == [
        ("public", "/"),
        ("media", "/files"),
        ("src/img", "/img"),  # the input folder is dropped from the address
        ("fonts", "/fonts"),
    ]
    assert any(s.source_key == "addPassthroughCopy" and not s.target for s in plan.report)
    write(tmp_path / "eleventy.config.js", 'export const config = { dir: { input: "nope" } };\n')
    with pytest.raises(SiteError) as caught:
        eleventy_config.read_config(plan, tmp_path, tmp_path / "eleventy.config.js")
    assert caught.value.path == tmp_path / "eleventy.config.js" and caught.value.line == 1
    assert "'nope'" in caught.value.message


@pytest.mark.parametrize(
    ("rel", "slug", "url", "date"),
    [
        ("blog/firstpost.md", "firstpost", "/blog/firstpost/", None),
        ("blog/2023-01-10-post.md", "post", "/blog/2023-01-10-post/", dt.date(2023, 1, 10)),
        ("blog/fourth/fourth.md", "fourth", "/blog/fourth/", None),
        ("blog/2021-07-01-trip/index.md", "trip", "/blog/2021-07-01-trip/", dt.date(2021, 7, 1)),
        ("about.md", "about", "/about/", None),
        ("2024-02-30-bad.md", "bad", "/2024-02-30-bad/", None),  # no such day
    ],
)
def test_eleventy_default_addresses_and_dated_names(
    rel: str, slug: str, url: str, date: dt.date | None
) -> None:
    assert eleventy_posts.file_slug(rel) == slug
    assert eleventy_posts.default_url(rel) == url
    found = eleventy_posts.name_date(rel)
    assert (found.date() if found else None) == date


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("/posts/{{ page.fileSlug }}/", "/posts/post/"),
        ("{{ title | slugify }}/", "/hello-world-and-cafe/"),
        ("/notes/{{ title | slug }}/", "/notes/hello-world-and-cafe/"),
        ("{{ page.filePathStem }}.html", "/blog/2023-01-10-post.html"),
        ("/{{ page.date | date: '%Y/%m' }}/{{ page.fileSlug }}/", "/2023/01/post/"),
        ("/{{- page.date | htmlDateString -}}/", "/2023-01-10/"),
        ("404.html", "/404.html"),
        ("/archive/{{ slug }}/index.html", "/archive/hello/"),
        ("/{{ page.date | readableDate }}/", None),  # a filter of the site's own
        ("/{{ page.date }}/", None),
        ("/{% if x %}a{% endif %}/", None),
        ("/{{ missing }}/", None),
    ],
)
def test_eleventy_permalinks_are_worked_out_for_the_common_forms(
    pattern: str, url: str | None
) -> None:
    values = eleventy_posts.permalink_values(
        "blog/2023-01-10-post.md",
        {"title": "Hello, World & Café", "slug": "hello", "draft": True},
        dt.datetime(2023, 1, 10, tzinfo=dt.UTC),
    )
    assert eleventy_posts.evaluate_permalink(pattern, values) == url


def test_eleventy_slug_filters() -> None:
    assert eleventy_posts.eleventy_slugify("Über camelCase & C++ tips!") == (
        "uber-camel-case-and-c-tips"
    )
    assert eleventy_posts.eleventy_slug("Hello, World!") == "hello-world!"


def test_eleventy_collection_names_are_not_tags() -> None:
    assert eleventy_posts.article_tags(["posts", "lamps", "Posts", "wax"], set()) == [
        "lamps",
        "wax",
    ]
    assert eleventy_posts.article_tags("second tag", set()) == ["second tag"]  # one tag
    assert eleventy_posts.article_tags(["notes", "all", "x"], {"notes"}) == ["x"]
    assert eleventy_posts.article_tags(None, set()) == []


def test_eleventy_site_reads_data_files_dates_and_unknown_permalinks(tmp_path: Path) -> None:
    write(tmp_path / "package.json", '{"devDependencies": {"@11ty/eleventy": "^2.0.1"}}\n')
    write(tmp_path / "_data/site.json", '{"title": "Notes", "url": "https://n.example/"}\n')
    write(
        tmp_path / "posts/posts.json",
        '{"tags": ["posts", "notes"], "permalink": "/n/{{ page.fileSlug }}/"}\n',
    )
    write(tmp_path / "posts/a.md", "---\ntitle: A\ndate: 2020-01-02\ntags: [notes, x]\n---\nA.\n")
    write(tmp_path / "posts/b.md", "---\ntitle: B\ndate: Last Modified\n---\nB.\n")
    write(
        tmp_path / "posts/c.md",
        "---\ntitle: C\ndate: 2020-03-04\npermalink: /{{ page.date | myDate }}/c/\n---\nC.\n",
    )
    write(tmp_path / "posts/d.md", "---\ntitle: D\npermalink: false\n---\nD.\n")
    write(tmp_path / "hidden.md", "---\neleventyExcludeFromCollections: true\n---\nThanks!\n")
    write(tmp_path / "README.md", "# Readme\n")
    write(tmp_path / ".eleventyignore", "README.md\n")
    assert detect(tmp_path)[0] == "Eleventy"
    plan = eleventy.read_site(tmp_path)
    assert plan.settings["title"] == "Notes" and plan.settings["base_url"] == "https://n.example/"
    posts = {p.rel: p for p in plan.posts}
    assert sorted(posts) == ["posts/a.md", "posts/b.md", "posts/c.md"]
    assert posts["posts/a.md"].old_url == "/n/a/" and plan.permalink == "/n/{slug}/"
    assert posts["posts/a.md"].add_meta == {"tags": ["x"]}  # `notes`: the folder's collection
    assert posts["posts/b.md"].add_meta["date"].startswith(str(dt.date.today().year)[:2])
    assert posts["posts/c.md"].old_url is None  # a filter of its own: the old address unknown
    assert posts["posts/c.md"].add_meta["permalink"] == ""
    assert posts["posts/c.md"].add_meta["eleventy_permalink"] == "/{{ page.date | myDate }}/c/"
    left = dict(plan.left_behind)
    assert "permalink: false" in left["posts/d.md"]
    assert "eleventyExcludeFromCollections" in left["hidden.md"]
    assert "README.md" not in left
    write(tmp_path / "_data/site.json", '{"title": "Notes",}\n')
    with pytest.raises(SiteError) as caught:
        eleventy.read_site(tmp_path)
    assert caught.value.path == tmp_path / "_data/site.json" and caught.value.line == 1


# --- pictures not moved, posts without a title, glob negations, environment fallbacks ----------


@pytest.mark.parametrize(
    ("src", "found"),
    [
        ("/images/quay.png", True),  # a static file at the site root
        ("/images/../images/quay.png", True),
        ("/images/lighthouse.jpg", False),
        ("quay.png", False),  # not beside the post, not at the root
        ("images/quay.png", True),  # the same path from the site root
        ("gull.png", True),  # beside the post: posts/gull.png
        ("../gull.png", True),  # as a browser read it from the page's address
        ("{static}/images/quay.png", True),  # Pelican's
        ("{static}/images/gone.png", False),
        ("/images/quay.png?v=2#top", True),
        ("https://old.example.org/lost.png", True),  # remote: nothing to move
        ("data:image/png;base64,AAAA", True),
    ],
)
def test_image_found_as_the_build_resolves_it(src: str, found: bool) -> None:
    published = {"/images/quay.png", "/posts/gull.png"}
    post = make_article(1, rel="posts/harbour.md", source="content/posts/harbour.md")
    assert image_found(src, post, "/posts/harbour/", published) is found


def test_a_bundles_image_is_found_where_its_page_moved() -> None:
    bundle = make_article(
        1,
        rel="posts/harbour/index.md",
        source="content/posts/harbour/index.md",
        bundle="posts/harbour",
        resources=("moored.png",),
    )
    published = {"/2024/harbour/moored.png"}  # below the page's new address
    assert image_found("moored.png", bundle, "/2024/harbour/", published)
    assert not image_found("moored.png", bundle, "/posts/harbour/", published)


def test_published_url_of_moved_files() -> None:
    assert published_url("static/img/a.png") == "/img/a.png"
    assert published_url("content/posts/a.png") == "/posts/a.png"
    assert published_url("content/posts/a.md") is None  # an article, not a file
    assert published_url("site.yaml") is None


@pytest.mark.parametrize(
    ("rel", "lang", "title"),
    [
        ("command-configure-not-found.md", "", "Command configure not found"),
        ("posts/2020-01-31-first_steps.md", "", "First steps"),
        ("posts/field-trip/index.md", "", "Field trip"),
        ("friends/index-en.md", "", "Friends"),
        ("about/about-ja.md", "ja", "About"),
        ("notes/post.ja.md", "", "Post"),
        ("plan-b.md", "", "Plan b"),
        ("2020-01-01.md", "", "2020-01-01"),  # only a date: kept
        ("uses-GitHub.md", "", "Uses GitHub"),  # the rest keeps its letter case
    ],
)
def test_readable_name(rel: str, lang: str, title: str) -> None:
    assert readable_name(rel, lang) == title


def test_title_from_a_misspelt_key_else_the_file_name() -> None:
    assert title_for('+++\ntilte = "Docker notes"\n+++\nText.\n', "docker.md") == (
        "Docker notes",
        "no `title`; the value of 'tilte', a misspelt 'title'",
    )
    assert title_for("---\nTitel: Notizen\n---\n", "n.md")[0] == "Notizen"
    assert title_for('---\ntitle: ""\ntags: [a]\n---\n', "empty-title.md")[0] == "Empty title"
    assert title_for("---\ntilte: [a, b]\n---\n", "listed.md")[0] == "Listed"  # not text
    assert title_for("---\nlang: en\n---\n", "about/about-en.md")[0] == "About"
    assert misspelt_title({"date": "2020-01-01", "tags": ["x"]}) is None


def test_needs_title_only_for_the_missing_title_error() -> None:
    assert needs_title([SiteError("title is required (the front matter has 'tilte')", "a.md")])
    assert not needs_title([SiteError("date: cannot read 'soon'", "a.md")])


def test_env_fallback_is_the_value_and_names_its_variable() -> None:
    text = (
        'site: process.env.DEPLOY_PRIME_URL || "https://example.net",\n'
        "base: process.env.BASE ?? '/blog',\n"
        "trailing: import.meta.env['SLASH'] || `never`,\n"
        "computed: process.env.URL || 'https://a' + path,\n"
        "plain: process.env.URL,\n"
        "literal: 'https://b.example',\n"
    )
    assert jsliterals.value(text, "site") == "https://example.net"
    assert jsliterals.env_fallback_of(text, "site") == "DEPLOY_PRIME_URL"
    assert jsliterals.value(text, "base") == "/blog"
    assert jsliterals.env_fallback_of(text, "base") == "BASE"
    assert jsliterals.value(text, "trailing") == "never"
    assert isinstance(jsliterals.value(text, "computed"), jsliterals.Code)
    assert jsliterals.env_fallback_of(text, "computed") is None
    assert isinstance(jsliterals.value(text, "plain"), jsliterals.Code)
    assert jsliterals.value(text, "literal") == "https://b.example"
    assert jsliterals.env_fallback_of(text, "literal") is None


def test_astro_glob_negations_leave_files_and_folders_out(tmp_path: Path) -> None:
    include = [jsliterals.glob_regex("**/*.{md,mdx}")]
    exclude = [jsliterals.glob_regex(p) for p in ("**/about/**", "drafts", "**/_*.md")]
    posts = Collection("posts", tmp_path, include, exclude)
    assert posts.holds("notes/tide.md") and posts.holds("tide.mdx")
    assert not posts.holds("about/me.md") and not posts.holds("en/about/me.md")
    assert not posts.holds("drafts/wip.md")  # a negated folder is not entered
    assert posts.holds("drafts-2024/done.md")
    assert not posts.holds("notes/_private.md")
    assert posts.has(tmp_path / "notes" / "tide.md")
    assert not posts.has(tmp_path.parent / "elsewhere.md")


def test_a_jsx_style_object_becomes_css_and_no_tag_keeps_a_blank_line() -> None:
    """An embed written across lines with `style={{...}}` (a CodeSandbox iframe): the style
    as CSS, React's way; an attribute left out leaves no blank line inside the tag, which
    would end the HTML block in Markdown and leave the tag unfinished."""
    text = (
        "---\ntitle: T\n---\n\n"
        '<iframe\n  src="https://codesandbox.io/embed/x"\n  style={{\n    width: "100%",\n'
        '    borderRadius: 4,\n    border: 0,\n    zIndex: 2,\n    WebkitTransform: "none",\n'
        '  }}\n  onLoad={() => go()}\n  title="Waves"\n></iframe>\n\n'
        "<p style={{ color: theme.red }}>Lead</p>\n"
    )
    moved, found = mdx.to_markdown(text)
    assert (
        '<iframe\n  src="https://codesandbox.io/embed/x" style="width: 100%; border-radius: 4px;'
        ' border: 0; z-index: 2; -webkit-transform: none"\n  title="Waves"\n></iframe>\n'
    ) in moved
    assert "<p>Lead</p>" in moved
    assert [construct.split(" '")[0] for _, construct, _ in found] == ["JSX attribute"] * 2


def test_astro_bundles_find_their_files_once_each(tmp_path: Path, monkeypatch) -> None:
    """Posts in folders of their own, a nested one among them: each picture goes with the
    nearest post folder, found once per file (every bundle was tested against every file for
    every post: 129 posts of a real blog took 3 minutes)."""
    write(tmp_path / "astro.config.mjs", "export default { site: 'https://e.org' }\n")
    write(
        tmp_path / "src/content.config.ts",
        "const blog = defineCollection({ loader: glob({ pattern: '**/*.md', base: "
        "'src/content/blog' }) });\nexport const collections = { blog };\n",
    )
    blog = tmp_path / "src/content/blog"
    for n in range(20):
        write(blog / f"p{n}/index.md", f"---\ntitle: P{n}\n---\n![a](./a.png)\n")
        for name in ("a.png", "b.jpg", "c.gif"):
            write(blog / f"p{n}" / name, "x")
    write(blog / "p0/inner/index.md", "---\ntitle: Inner\n---\nx\n")
    write(blog / "p0/inner/d.png", "x")
    write(blog / "loose.png", "x")
    write(tmp_path / "src/pages/blog/[...slug].astro", "getCollection('blog')\nrender(post)\n")
    calls = []
    real = astro.nearest_bundle
    monkeypatch.setattr(astro, "nearest_bundle", lambda *a: calls.append(a) or real(*a))
    plan = astro.read_site(tmp_path)
    files = {p.rel: sorted(rel for _, rel in p.bundle_files) for p in plan.posts}
    assert files["blog/p0/index.md"] == ["blog/p0/a.png", "blog/p0/b.jpg", "blog/p0/c.gif"]
    assert files["blog/p0/inner/index.md"] == ["blog/p0/inner/d.png"]
    assert files["blog/p7/index.md"] == ["blog/p7/a.png", "blog/p7/b.jpg", "blog/p7/c.gif"]
    assert ("src/content/blog/loose.png", "content/blog/loose.png") in [
        (plan.display(f), to) for f, to in plan.files
    ]
    assert len(calls) == 20 * 4 + 2 + 1  # once for each file of the collection
