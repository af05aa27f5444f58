"""Articles -> Site: what is published, in order, with URLs, neighbours, taxonomies, archive
and translations. Computed once per build and not changed afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitegen.config import SiteConfig
from sitegen.content.address import article_url
from sitegen.content.article import Article
from sitegen.errors import Diagnostics
from sitegen.heap import pauses_collector
from sitegen.text.languages import Language, language_name
from sitegen.text.slugs import slugify, term_key


@dataclass(frozen=True)
class Term:
    """One tag or category: its display name, slug, URL and articles (newest first)."""

    name: str
    slug: str
    url: str
    articles: tuple[int, ...]  # indexes into Site.listed


@dataclass(frozen=True)
class Section:
    """One language's part of the site (Hugo's and Zola's per-language site): its own listing,
    tags and categories, under `prefix` (`/` for the default language, `/ja/` for others)."""

    language: Language
    prefix: str
    listed: list[Article]  # newest first
    tags: list[Term]
    categories: list[Term]

    @property
    def lang(self) -> str:
        return self.language.code


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None  # "now" for future/expiry checks (SOURCE_DATE_EPOCH aware)


@dataclass
class Site:
    """The whole site as listings see it: published articles in order, their URLs,
    translations, tags, categories and archive. Built once per build by `build_site`."""

    config: SiteConfig
    pages: list[Article]  # every article that gets a page, listed first
    urls: dict[str, str]  # article.rel -> site-root URL
    listed: list[Article]  # the default listing: newest first
    tags: list[Term]
    categories: list[Term]
    translations: dict[str, list[Article]]  # translation_key -> versions, default language first
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> count
    sections: list[Section] = field(default_factory=list)  # one per language, default first
    _term_indexes: dict = field(default_factory=dict, repr=False)

    def url(self, article: Article) -> str:
        return self.urls[article.rel]

    def section(self, lang: str) -> Section | None:
        """The section of a language (its articles' tags link to its term pages)."""
        for section in self.sections:
            if section.lang == lang:
                return section
        return None

    def term_indexes(self, lang: str) -> tuple[dict[str, Term], dict[str, Term]]:
        """(tags, categories) by grouping key, of the section of `lang` (else the root's)."""
        if lang not in self._term_indexes:
            section = self.section(lang)
            tags, cats = (
                (section.tags, section.categories) if section else (self.tags, self.categories)
            )
            self._term_indexes[lang] = (
                {term_key(t.name): t for t in tags},
                {term_key(t.name): t for t in cats},
            )
        return self._term_indexes[lang]


def sort_key(article: Article) -> tuple:
    return (-article.date.timestamp(), article.rel)


@pauses_collector
def build_site(
    articles: list[Article], config: SiteConfig, options: BuildOptions, diag: Diagnostics
) -> Site:
    now = options.now or dt.datetime.now(dt.UTC)
    left_out: dict[str, int] = {}
    kept: list[Article] = []
    for article in articles:
        reason = None
        if article.draft and not options.drafts:
            reason = "draft"
        elif not options.future and (
            article.date > now or (article.publish_date and article.publish_date > now)
        ):
            reason = "future"
        elif article.expiry_date and article.expiry_date <= now:
            reason = "expired"
        if reason:
            left_out[reason] = left_out.get(reason, 0) + 1
        else:
            kept.append(article)
    kept.sort(key=sort_key)

    translations: dict[str, list[Article]] = {}
    for article in kept:
        translations.setdefault(article.translation_key, []).append(article)
    for versions in translations.values():
        versions.sort(key=lambda a: (a.lang != config.language, a.lang))
    # Listings show the default-language version, or the article itself when it has none.
    # pages of their own (`listed: false`) get a page and no place in any listing
    listed = [a for a in kept if a.listed and translations[a.translation_key][0] is a]
    listed_ids = {id(a) for a in listed}
    pages = listed + [a for a in kept if id(a) not in listed_ids]
    if config.languages:  # a declared multilingual site lists each language on its own
        listed = [a for a in listed if a.lang == config.language]
    urls = {a.rel: article_url(a, config) for a in pages}
    tags = _terms(listed, "tags", "/tags/", config.unicode_slugs)
    categories = _terms(listed, "categories", "/categories/", config.unicode_slugs)
    return Site(
        config=config,
        pages=pages,
        urls=urls,
        listed=listed,
        tags=tags,
        categories=categories,
        translations=translations,
        left_out=left_out,
        sections=_sections(config, kept, listed, tags, categories),
    )


def _sections(
    config: SiteConfig,
    kept: list[Article],
    listed: list[Article],
    tags: list[Term],
    categories: list[Term],
) -> list[Section]:
    """The default language's section (the site root, as listed) and one per other language:
    those of `languages`, then any other that an article is written in."""
    languages = list(config.site_languages)
    known = {language.code for language in languages}
    for code in sorted({a.lang for a in kept} - known):
        languages.append(Language(code, language_name(code)))
    sections = [Section(languages[0], "/", listed, tags, categories)]
    for language in languages[1:]:
        seen: set[str] = set()
        own = []
        for article in kept:  # newest first; one version per article and language
            if (
                article.lang == language.code
                and article.listed
                and article.translation_key not in seen
            ):
                seen.add(article.translation_key)
                own.append(article)
        prefix = f"/{language.code}/"
        sections.append(
            Section(
                language,
                prefix,
                own,
                _terms(own, "tags", f"{prefix}tags/", config.unicode_slugs),
                _terms(own, "categories", f"{prefix}categories/", config.unicode_slugs),
            )
        )
    return sections


def _terms(listed: list[Article], field_name: str, prefix: str, unicode: bool) -> list[Term]:
    """Group names case-insensitively (`ISIS` and `isis` are one tag); unique slugs (letters of
    every script kept with `unicode`, the site's `unicode_slugs`)."""
    groups: dict[str, list[int]] = {}
    names: dict[str, dict[str, int]] = {}
    for index, article in enumerate(listed):
        for name in getattr(article, field_name):
            key = term_key(name)
            group = groups.setdefault(key, [])
            if not group or group[-1] != index:  # `Café` and `CAFÉ` on one article: listed once
                group.append(index)
            spelled = names.setdefault(key, {})
            spelled[name] = spelled.get(name, 0) + 1
    terms = []
    taken: set[str] = set()
    for key in sorted(groups):
        # the most used spelling is shown; ties go to the alphabetically first
        display = sorted(names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        slug = slugify(display, fallback_prefix="tag", unicode=unicode)
        base, n = slug, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        terms.append(Term(display, slug, f"{prefix}{slug}/", tuple(groups[key])))
    terms.sort(key=lambda t: t.name.casefold())
    return terms
