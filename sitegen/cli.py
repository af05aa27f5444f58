"""Command line: arguments, one-line messages, exit codes (0 ok, 1 content or build errors,
2 usage errors). No site logic lives here."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shlex
import sys
from pathlib import Path

from sitegen import __version__
from sitegen.config import CONFIG_NAME, SiteConfig, find_site_root, load_config
from sitegen.errors import BuildFailed, Diagnostics, SiteError


class Console:
    def __init__(self, verbose: int = 0, quiet: bool = False) -> None:
        self.verbose = verbose
        self.quiet = quiet
        self.color = sys.stderr.isatty() and not os.environ.get("NO_COLOR")

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def error(self, err: SiteError | str) -> None:
        print(f"{self._paint('error', '1;31')}: {_near(err)}", file=sys.stderr)

    def warn(self, err: SiteError | str) -> None:
        if not self.quiet:
            print(f"{self._paint('warning', '33')}: {_near(err)}", file=sys.stderr)

    def info(self, text: str) -> None:
        if not self.quiet:
            print(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            print(text)

    def diagnostics(self, diag: Diagnostics) -> None:
        for w in diag.warnings:
            self.warn(w)
        for e in diag.errors:
            self.error(e)


def _near(err: SiteError | str) -> SiteError | str:
    """`err` naming its file from the current folder when it is below it (`content/a.md:3`,
    as most messages do), not by a whole path some stages know it by."""
    if isinstance(err, SiteError) and err.path is not None and Path(err.path).is_absolute():
        with contextlib.suppress(ValueError, OSError):
            rel = Path(err.path).relative_to(Path.cwd())
            return SiteError(err.message, rel, err.line, err.hint, err.warning)
    return err


def _site_root(args: argparse.Namespace) -> Path:
    if args.site:
        root = Path(args.site)
        if not (root / CONFIG_NAME).is_file():
            raise SiteError(
                f"no {CONFIG_NAME} in {root}", hint="run `sitegen init DIR` to make a new site"
            )
        return root.resolve()
    found = find_site_root(Path.cwd())
    if found is None:
        raise SiteError(
            f"no {CONFIG_NAME} here or in any parent folder",
            hint="run inside a site, pass --site DIR, or make one with `sitegen init DIR`",
        )
    return found


def _config(args: argparse.Namespace, **overrides) -> SiteConfig:
    return load_config(_site_root(args), overrides)


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from sitegen.build import BuildRequest, build
    from sitegen.progress import BuildProgress

    config = _config(args, base_url=args.base_url, file_urls=True if args.file_urls else None)
    output = Path(args.output).resolve() if args.output else None
    request = BuildRequest(
        config,
        output,
        drafts=args.drafts,
        future=args.future,
        keep_going=args.keep_going,
        force=args.force,
        jobs=args.jobs or 0,
        executor=getattr(args, "executor", "local"),  # `check` builds too, on this machine
        progress=(reporter := BuildProgress(quiet=args.quiet)),
        hold=getattr(args, "hold", None),
    )
    try:
        try:
            result = build(request)
        finally:
            reporter.close()  # before any message: the bar is gone, the summary stays
    except BuildFailed as exc:
        for w in exc.warnings:
            console.warn(w)
        for e in exc.errors:
            console.error(e)
        console.error(
            f"build failed with {len(exc.errors)} error(s); the output folder was not changed"
        )
        return 1
    console.diagnostics(result.diagnostics)
    left = ", ".join(f"{n} {why}" for why, n in sorted(result.left_out.items()))
    console.info(
        f"built {result.articles} articles, {result.pages} pages: {result.written} written, "
        f"{result.kept} unchanged, {result.removed} removed in {result.seconds:.2f}s"
        + (f" (left out: {left})" if left else "")
        + f" -> {result.output}"
    )
    if result.timings:
        console.detail(
            "phases: " + ", ".join(f"{phase} {sec:.3f}s" for phase, sec in result.timings.items())
        )
    if result.planned < result.pages:
        console.detail(
            f"pages planned again: {result.planned} of {result.pages} "
            "(an edit of bodies alone: the others are the last build's)"
        )
    if 0 < result.fingerprinted < result.pages:
        console.detail(
            f"pages looked at again: {result.fingerprinted} of {result.pages} "
            "(the others' inputs are as the last build left them)"
        )
    if result.left_out:
        console.detail("left out: " + left + " (use --drafts / --future to include them)")
    if result.skipped_pages:
        console.warn(
            f"--keep-going: left out {len(result.skipped_pages)} page(s): "
            + ", ".join(result.skipped_pages[:10])
        )
    if not result.diagnostics.errors and getattr(args, "check", False):
        return _check(args, console, config, output or config.output_path)
    if result.diagnostics.errors:
        files = sorted({str(e.path) for e in result.diagnostics.errors if e.path})
        console.warn(
            f"--keep-going: left out what {len(files)} file(s) with errors hold: "
            + ", ".join(files[:10])
            + (" ..." if len(files) > 10 else "")
        )
    return 1 if result.diagnostics.errors else 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    if not args.no_build:
        args.check = True
        return cmd_build(args, console)  # builds, then checks (as `build --check`)
    config = _config(args, base_url=args.base_url)
    output = Path(args.output).resolve() if args.output else config.output_path
    return _check(args, console, config, output)


def _check(args: argparse.Namespace, console: Console, config: SiteConfig, output: Path) -> int:
    from sitegen.check.site_check import check_site
    from sitegen.progress import BuildProgress

    reporter = BuildProgress(quiet=args.quiet)
    try:
        report = check_site(
            config,
            output,
            args.drafts,
            args.future,
            args.external,
            lambda done, total: reporter("check", done, total),
        )
    finally:
        reporter.close()
    for problem in report.problems:
        console.error(problem)
    for url, page in sorted(report.external.items()):
        console.detail(
            f"external link{'' if args.external else ', not checked'}: {url} (on {page})"
        )
    unchecked = (
        ""
        if args.external or not report.external
        else f"; {len(report.external)} external links not checked (--external fetches them)"
    )
    console.info(
        f"checked {report.pages} pages, {report.references} internal links: "
        f"{len(report.problems)} problem(s){unchecked}"
    )
    return 0 if report.ok else 1


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    from sitegen.ingest.importer import import_seeds

    config = _config(args)
    report = import_seeds(config, force=args.force)
    console.diagnostics(report.diagnostics)
    for path in report.written:
        console.detail(f"wrote {path.relative_to(config.root)}")
    console.info(
        f"imported {len(report.written)} seed(s), {report.unchanged} unchanged, "
        f"{len(report.kept_edits)} kept because edited by hand, "
        f"{len(report.diagnostics.errors)} failed"
    )
    return 1 if report.diagnostics.errors else 0


def cmd_new(args: argparse.Namespace, console: Console) -> int:
    from sitegen.ingest.importer import dump_front_matter
    from sitegen.text.slugs import slugify

    config = _config(args)
    if not args.title.strip():
        raise SiteError("the article needs a title", hint='sitegen new "The title"')
    slug = slugify(args.title, unicode=config.unicode_slugs)
    path = config.content_path / f"{slug}.md"
    if path.exists():
        raise SiteError(
            f"{path.relative_to(config.root)} already exists; nothing was changed",
            hint="pick another title",
        )
    now = dt.datetime.now(config.tz).replace(microsecond=0)
    meta = {"title": args.title, "date": now.isoformat(), "tags": [], "draft": True}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(f"---\n{dump_front_matter(meta)}---\n\nWrite your article here.\n")
    console.info(f"created {path.relative_to(config.root)} (draft: set draft: false to publish)")
    return 0


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    from sitegen.ingest.scaffold import create_site

    created = create_site(Path(args.dir), title=args.title)
    console.info(f"created a new site in {args.dir}: " + ", ".join(created))
    here = Path(args.dir).resolve() == Path.cwd().resolve()
    console.info(
        "next: sitegen build" if here else f"next: cd {shlex.quote(args.dir)} && sitegen build"
    )
    return 0


def cmd_migrate(args: argparse.Namespace, console: Console) -> int:
    from sitegen.ingest.migrate import UsageError, migrate

    try:
        result = migrate(Path(args.source), Path(args.dest))
    except UsageError as exc:
        console.error(exc)
        return 2
    for outcome in result.outcomes:
        for err in outcome.errors:
            console.error(err)
    for rel in result.written.conflicts:
        console.error(f"{rel}: already in {args.dest} with other content; not replaced")
    if result.written.site_yaml_kept:
        console.warn(
            f"{args.dest}/site.yaml was kept; the settings migrate found are in the report"
        )
    console.info(result.summary())
    return 1 if result.errors else 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from sitegen.progress import BuildProgress
    from sitegen.serve import serve_site

    config = _config(args)
    return serve_site(
        config,
        host=args.host,
        port=args.port,
        drafts=args.drafts,
        open_browser=args.open,
        console=console,
        poll=args.poll,
        jobs=args.jobs or 0,
        progress=lambda: BuildProgress(quiet=args.quiet),
    )


def _add_jobs(p: argparse.ArgumentParser) -> None:
    """--jobs, the same for every command that builds."""
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: cores)")


def make_parser() -> argparse.ArgumentParser:
    def common_options(defaults: bool) -> argparse.ArgumentParser:
        # Accepted before and after the command; the subcommand's copy has no defaults of its
        # own, else `sitegen --site DIR build` would lose DIR and build the current folder.
        keep = {} if defaults else {"default": argparse.SUPPRESS}
        options = argparse.ArgumentParser(add_help=False)
        options.add_argument(
            "--site",
            metavar="DIR",
            help="the site folder (default: the one holding site.yaml, here or above)",
            **keep,
        )
        options.add_argument(
            "-v", "--verbose", action="count", help="say more", **(keep or {"default": 0})
        )
        options.add_argument("-q", "--quiet", action="store_true", help="print errors only", **keep)
        return options

    common = common_options(defaults=False)
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Static site generator for news and blog article collections.",
        parents=[common_options(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("init", parents=[common], help="make a new site in DIR")
    p.add_argument("dir", metavar="DIR", nargs="?", default=".", help="default: this folder")
    p.add_argument("--title", default="My news site")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", parents=[common], help="turn seeds/*.txt into content/*.md")
    p.add_argument(
        "--force",
        action="store_true",
        help="re-import every seed; hand-edited content is saved as .bak first",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("new", parents=[common], help="start a new article")
    p.add_argument("title")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("build", parents=[common], help="import seeds and build the site")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (default: build/)")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--future", action="store_true", help="include articles dated in the future")
    p.add_argument("--base-url", metavar="URL", help="absolute URL the site is served from")
    p.add_argument("--file-urls", action="store_true", help="links end in index.html (for file://)")
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="build what can be built despite errors, and say what was left out",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="build into a non-empty folder sitegen did not make (its files are kept)",
    )
    _add_jobs(p)
    p.add_argument(
        "--executor",
        default="local",
        metavar="WHERE",
        help="'local' (this machine, the default) or a Dask scheduler, dask://HOST:PORT, "
        "to load and render on its workers (pip install 'sitegen[dask]')",
    )
    p.add_argument("--check", action="store_true", help="then check it as `sitegen check` does")
    p.add_argument("--external", action="store_true", help="with --check: fetch external links")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "migrate",
        parents=[common],
        help="move a Hugo, Jekyll, Zola, MkDocs, Pelican, Astro or Eleventy site",
        description="Move a Hugo, Jekyll, Zola, MkDocs, Pelican, Astro or Eleventy site into a "
        "new sitegen site: its articles, settings, pictures and old addresses (as redirects). "
        "SOURCE is read, never changed; the report in DEST says what was moved and what was not.",
    )
    p.add_argument("source", metavar="SOURCE", help="the other generator's site folder")
    p.add_argument("dest", metavar="DEST", help="a new or empty folder for the sitegen site")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="build, then check links, anchors, images, feeds and the sitemap",
    )
    p.add_argument("--no-build", action="store_true", help="check the existing output folder")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (default: build/)")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--future", action="store_true", help="include articles dated in the future")
    p.add_argument("--base-url", metavar="URL", help="absolute URL the site is served from")
    p.add_argument(
        "--external",
        action="store_true",
        help="also fetch every external link (needs network; slow on big sites)",
    )
    _add_jobs(p)
    p.set_defaults(func=cmd_check, file_urls=False, keep_going=False, force=False)

    p = sub.add_parser("serve", parents=[common], help="preview with live reload")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--open", action="store_true", help="open the browser")
    p.add_argument(
        "--poll",
        action="store_true",
        help="poll for changes instead of OS events (network drives, some containers)",
    )
    _add_jobs(p)
    p.set_defaults(func=cmd_serve)
    return parser


_HELD: list = []  # what the last build held, never freed: see run()


def run() -> None:
    """The `sitegen` command. After a build it exits without freeing what the build held:
    freeing a site's articles and page plan object by object takes longer than the edit
    build it follows (about 0.3 s at 10,000 articles, seconds at 100,000), and the system
    takes the memory back at once. Everything is written and closed by then."""
    code = main(hold=_HELD)
    if not _HELD:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone (`| head`), a closed stream
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None, hold: list | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.hold = hold
    console = Console(args.verbose, args.quiet)
    try:
        return args.func(args, console)
    except BuildFailed as exc:
        for e in exc.errors:
            console.error(e)
        return 1
    except SiteError as exc:
        console.error(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the disk, not the site: a full disk, a folder we may not write
        where = f"{exc.filename}: " if exc.filename else ""
        console.error(f"{where}{exc.strerror or exc}")
        return 1


if __name__ == "__main__":
    run()
