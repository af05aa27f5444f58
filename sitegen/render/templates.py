"""PageJob -> bytes through Jinja2: the site's `templates/` over the theme's, autoescaping on,
undefined variables are errors, and template errors name the template file and line."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from sitegen.config import SiteConfig, bundled_themes_dir
from sitegen.errors import SiteError
from sitegen.site.feeds import FORMATS, feed_links
from sitegen.site.plan import PageJob, site_messages
from sitegen.text.i18n import Messages, format_number
from sitegen.text.languages import text_direction
from sitegen.text.urls import absolute_url, relative_url


def template_dirs(config: SiteConfig) -> list[Path]:
    dirs = [config.path(config.templates_dir), config.theme_path() / "templates"]
    return [d for d in dirs if d.is_dir()]


def _feed_fallback() -> Path:
    """sitegen's own feed templates, for a theme that has no template for a chosen format."""
    return bundled_themes_dir() / "default" / "templates"


def _fallback_names() -> set[str]:
    """Templates a theme need not have: the feed formats and the sitemap index (which only a
    site of more than 30,000 pages uses), taken from `_feed_fallback` when it lacks them."""
    return {template for _, template, _, _ in FORMATS.values()} | {"sitemap_index.xml"}


def templates_fingerprint(config: SiteConfig) -> str:
    """Templates and message files (`t()` reads those while rendering)."""
    h = hashlib.sha1(site_messages(config).fingerprint().encode())
    for folder in [*template_dirs(config), _feed_fallback()]:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block that no value can break out of.
    Top-level keys whose value is None are left out (e.g. URLs when there is no base_url)."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _load_from(loader: jinja2.FileSystemLoader, name: str, allowed: set[str]):
    """`name` from `loader` when it is one of `allowed`, else None (not found)."""
    if name not in allowed:
        return None
    try:
        return loader.get_source(jinja2.Environment(), name)
    except jinja2.TemplateNotFound:
        return None


def _rfc822(iso: str) -> str:
    """An ISO 8601 timestamp as RSS 2.0 wants it (RFC 822: `Fri, 01 Mar 2024 09:30:00 +0000`)."""
    return email.utils.format_datetime(dt.datetime.fromisoformat(iso)) if iso else ""


def template_sources(config: SiteConfig) -> dict[str, tuple[str, str]]:
    """Every template `make_environment`'s loader can find: name -> (source, file name), the
    first folder holding a name winning as in its ChoiceLoader. For workers on other machines,
    which have no site or theme folder: the templates travel with their tasks."""
    out: dict[str, tuple[str, str]] = {}
    feed_templates = _fallback_names()
    for folder, only in [*((d, None) for d in template_dirs(config)), (_feed_fallback(), 1)]:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if name in out or not path.is_file() or (only and name not in feed_templates):
                continue
            try:
                out[name] = (path.read_text(encoding="utf-8"), os.path.normpath(path))
            except (OSError, UnicodeDecodeError):
                continue  # not a template (an image beside them); Jinja could not load it either
    return out


def sources_loader(sources: dict[str, tuple[str, str]]) -> jinja2.BaseLoader:
    """A loader over `template_sources` output: same names, same file names in errors."""

    def load(name: str):
        found = sources.get(name)
        return None if found is None else (found[0], found[1], lambda: True)

    return jinja2.FunctionLoader(load)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja's environment, with `a.title` on a page context's dict read as the key at once.

    Jinja reads `a.title` as the attribute first and the item only after the attribute lookup
    has raised: on a plain dict (every listing view and context is one) that raised and caught
    an exception for each name a template read, most of the time of a listing's loop (five
    times as long as the key alone). A plain dict has no attribute but `dict`'s own (`items`,
    `keys`...), so for any other name the key is what Jinja would give anyway; those names,
    and every other object, go Jinja's way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass  # undefined, as Jinja says it
        return super().getattr(obj, attribute)


def make_environment(
    config: SiteConfig,
    asset_names: dict[str, str],
    bytecode_dir: Path | None = None,
    loader: jinja2.BaseLoader | None = None,
    messages: Messages | None = None,
) -> jinja2.Environment:
    """The Jinja environment of a build. `loader` and `messages` replace the site's template
    and message folders (a worker on another machine gets them from its task)."""
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
    if loader is None:
        fallback = jinja2.FileSystemLoader(str(_feed_fallback()))
        feed_templates = _fallback_names()
        loader = jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(d)) for d in template_dirs(config)]
            + [jinja2.FunctionLoader(lambda name: _load_from(fallback, name, feed_templates))]
        )
    env = _Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change within a build; the preview makes a new one
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )

    base_path = urlsplit(config.base_url).path.rstrip("/") if config.base_url else ""

    def link(target: str, page: dict) -> str:
        if page.get("kind") == "404" and config.base_url and target.startswith("/"):
            # Hosts show 404.html at whatever address was missed, at any depth, so a relative
            # link cannot work there; the path of base_url does.
            return quote(base_path + target, safe="/:@!$&'()*+,;=-._~%#")
        return relative_url(target, page["url"], config.file_urls)

    @jinja2.pass_context
    def url(ctx: jinja2.runtime.Context, target: str) -> str:
        return link(target, ctx["page"])

    @jinja2.pass_context
    def asset(ctx: jinja2.runtime.Context, name: str) -> str:
        if name not in asset_names:
            raise SiteError(
                f"asset('{name}'): no such file in the theme or site static/ folder",
                hint="put it in static/ (or the theme's static/)",
            )
        return link(asset_names[name], ctx["page"])

    def abs_url(target: str) -> str:
        return absolute_url(target, config.base_url)

    messages = messages or site_messages(config)

    @jinja2.pass_context
    def translate(ctx: jinja2.runtime.Context, key: str, **values: Any) -> str:
        """`t('archive')`: the theme's word for `key` in the page's language."""
        lang = ctx["page"]["lang"]
        try:
            return messages.get(lang, key, **values)
        except KeyError:
            raise _no_message(f"t('{key}')", lang) from None

    @jinja2.pass_context
    def translate_forms(ctx: jinja2.runtime.Context, *keys: str) -> dict[str, dict[str, str]]:
        """`t_forms('a', 'b')`: those messages unfilled, by plural category, in the page's
        language, for a script to fill in (`{count}`, `{query}`)."""
        lang = ctx["page"]["lang"]
        try:
            return {key: messages.forms(lang, key) for key in keys}
        except KeyError as exc:
            raise _no_message(f"t_forms({exc.args[0]!r})", lang) from None

    @jinja2.pass_context
    def number(ctx: jinja2.runtime.Context, value: int | float) -> str:
        return format_number(value, ctx["page"]["lang"])

    env.globals.update(
        site={
            "title": config.title,
            "description": config.description,
            "author": config.author,
            "language": config.language,
            "base_url": config.base_url,
            "extra": config.extra,
            "file_urls": config.file_urls,
            "search": config.search,
            "feeds": feed_links("/", config),
            "languages": [
                {
                    "code": lang.code,
                    "name": lang.name,
                    "dir": lang.direction,
                    "url": "/" if i == 0 else f"/{lang.code}/",
                }
                for i, lang in enumerate(config.site_languages)
            ],
        },
        url=url,
        asset=asset,
        abs_url=abs_url,
        t=translate,
        t_forms=translate_forms,
    )
    env.filters["json_ld"] = _json_ld
    env.filters["rfc822"] = _rfc822
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["number"] = number
    return env


def _short(filename: str) -> str:
    """A template path relative to the current folder when it lies below it."""
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename


def template_error(exc: BaseException, template_dirs_: list[Path]) -> SiteError:
    """A SiteError naming the template file and line behind a Jinja error."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SiteError(
            f"template syntax error: {exc.message}",
            _short(exc.filename or exc.name or ""),
            exc.lineno,
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(
            f"template not found: {exc.name}", hint="add it to templates/ or the theme"
        )
    where = _template_frame(exc)
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        message = f"undefined value in template: {message}"
    if where:
        return SiteError(message, _short(where[0]), where[1])
    return SiteError(f"template error: {message}")


def _is_template(filename: str) -> bool:
    """A traceback frame of a Jinja template (not of sitegen's own Python code)."""
    if filename.endswith(".py"):
        return False
    return filename.endswith((".html", ".xml", ".txt")) or "templates" in filename


def _no_message(call: str, lang: str) -> SiteError:
    return SiteError(
        f"{call}: no such message in i18n/{lang}.yaml or i18n/en.yaml",
        hint="add it to the site's i18n/en.yaml (and the other languages' files)",
    )


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in the traceback (Jinja maps lines to the source)."""
    tb = exc.__traceback__
    where: tuple[str, int] | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if _is_template(filename):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return where


def render_job(
    env: jinja2.Environment, job: PageJob, body_html: Callable[[str, str], tuple[str, tuple]]
) -> bytes:
    """Render one page. `body_html(rel, page_url)` gives an article body localized for the page
    ("" for absolute links, as feeds need) and its table of contents."""
    context = dict(job.context)
    language = env.globals["site"]["language"]
    page = {
        "kind": job.kind,
        "title": "",
        "description": "",
        "lang": language,
        "dir": text_direction(language),
        "alternates": [],
        "image": "",
        "noindex": False,
        "feed_url": "",
        "feeds": [],
        "date": "",
        "updated": "",
        **context.get("page", {}),
    }
    page["url"] = job.url
    page.setdefault("path", job.path)
    # the home of the page's language: its index, archive, tags, search and feeds are under it
    languages = env.globals["site"]["languages"]
    page["home"] = next((lang["url"] for lang in languages if lang["code"] == page["lang"]), "/")
    context["page"] = page
    if job.kind == "article":
        article = dict(context["article"])
        html, toc = body_html(article["body"], job.url)
        article["content"] = Markup(html)
        article["toc"] = [{"level": lv, "id": anchor, "title": text} for lv, anchor, text in toc]
        context["article"] = article
    elif job.kind == "feed":
        feed = dict(context["feed"])
        # absolute links with a base_url; else relative to the feed, which readers resolve
        where = "" if env.globals["site"]["base_url"] else job.url
        feed["entries"] = [  # feed_content: summary plans entries without a body
            dict(e, content=body_html(e["body"], where)[0]) if "body" in e else e
            for e in feed["entries"]
        ]
        context["feed"] = feed
    try:
        template = env.get_template(job.template)
        return template.render(context).encode("utf-8")
    except SiteError as exc:
        if exc.path is None:  # raised by a helper such as asset(): say which template called it
            where = _template_frame(exc)
            if where:
                exc.path, exc.line = _short(where[0]), where[1]
        raise
    except jinja2.TemplateError as exc:
        raise template_error(exc, []) from None
    except Exception as exc:  # an error raised inside a template expression
        if any(_is_template(f.filename or "") for f in _frames(exc)):
            raise template_error(exc, []) from None
        raise


def _frames(exc: BaseException):
    import traceback

    return traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
