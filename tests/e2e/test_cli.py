"""The command line end to end: init, import, new, build, exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sitegen import __version__


def run(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_and_help():
    out = run("--version")
    assert out.returncode == 0 and __version__ in out.stdout
    for command in ("init", "import", "new", "build", "serve"):
        helped = run(command, "--help")
        assert helped.returncode == 0 and "usage:" in helped.stdout


def test_migrate_help_names_every_generator_it_reads():
    from sitegen.ingest.migrate import READERS

    listed = " ".join(run("--help").stdout.split())  # argparse wraps the lines
    described = " ".join(run("migrate", "--help").stdout.split())
    for name, *_ in READERS:
        assert name in listed and name in described, name


def test_usage_error_exits_2(tmp_path):
    assert run("build", "--no-such-flag", cwd=tmp_path).returncode == 2
    assert run(cwd=tmp_path).returncode == 2


def test_init_then_build(tmp_path, parse):
    target = tmp_path / "news"
    created = run("init", str(target))
    assert created.returncode == 0, created.stderr
    assert (target / "site.yaml").is_file() and (target / "seeds" / "welcome.txt").is_file()
    built = run("build", cwd=target)
    assert built.returncode == 0, built.stderr
    assert "built 2 articles" in built.stdout
    index = parse((target / "build" / "index.html").read_text(encoding="utf-8"))
    assert "Welcome to your new site" in index.text and "Writing in Markdown" in index.text
    article = parse(
        (target / "build" / "welcome-to-your-new-site" / "index.html").read_text(encoding="utf-8")
    )
    assert "Seeds are plain text" in article.text
    again = run("init", str(target))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_init_here_by_default_and_the_next_step_as_a_shell_would_take_it(tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    (here / ".gitignore").write_text("notes/\n", encoding="utf-8")
    made = run("init", cwd=here)
    assert made.returncode == 0, made.stderr
    assert (here / "site.yaml").is_file() and "next: sitegen build" in made.stdout
    assert (here / ".gitignore").read_text(encoding="utf-8") == "notes/\n"  # theirs, kept
    spaced = run("init", "my news", cwd=tmp_path)
    assert spaced.returncode == 0, spaced.stderr
    assert "next: cd 'my news' && sitegen build" in spaced.stdout


def test_site_flag_and_missing_site(tmp_path):
    run("init", str(tmp_path / "s"))
    assert run("build", "--site", str(tmp_path / "s"), cwd=tmp_path).returncode == 0
    missing = run("build", cwd=tmp_path)
    assert missing.returncode == 1 and "site.yaml" in missing.stderr


def test_build_reports_every_error_with_file_and_line(tmp_path):
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    run("build", cwd=site)
    before = (site / "build" / "index.html").read_bytes()
    (site / "content" / "bad-yaml.md").write_text(
        "---\ntitle: ok\ndate: [unclosed\n---\nbody\n", encoding="utf-8"
    )
    (site / "content" / "bad-date.md").write_text(
        "---\ntitle: x\ndate: someday\n---\nbody\n", encoding="utf-8"
    )
    (site / "content" / "no-title.md").write_text(
        "---\ndate: 2020-01-01\n---\nbody\n", encoding="utf-8"
    )
    (site / "seeds" / "same-a.txt").write_text("Same title\n\nOne.\n", encoding="utf-8")
    (site / "seeds" / "same-b.txt").write_text("Same title\n\nTwo.\n", encoding="utf-8")
    out = run("build", cwd=site)
    assert out.returncode == 1
    assert "warning:" in out.stderr and "same-b.txt" in out.stderr  # warnings are said too
    assert "content/bad-yaml.md:" in out.stderr
    assert "content/bad-date.md:3: date" in out.stderr
    assert "content/no-title.md:" in out.stderr and "title is required" in out.stderr
    assert (site / "build" / "index.html").read_bytes() == before


def test_a_build_exits_fast_with_everything_said(tmp_path):
    """After a build the command exits without freeing what the build held (cli.run): its
    warnings and summary are still all written, through pipes, and the status is the build's."""
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    (site / "seeds" / "same-a.txt").write_text("Same title\n\nOne.\n", encoding="utf-8")
    (site / "seeds" / "same-b.txt").write_text("Same title\n\nTwo.\n", encoding="utf-8")
    out = run("build", cwd=site)
    assert out.returncode == 0, out.stderr
    assert "warning:" in out.stderr and "same-b.txt" in out.stderr
    assert out.stdout.rstrip().endswith(f"-> {(site / 'build').resolve()}")
    (site / "content" / "no-title.md").write_text("---\ndate: 2020-01-01\n---\nx\n")
    failed = run("build", cwd=site)
    assert failed.returncode == 1 and "title is required" in failed.stderr


def test_bad_config_names_key_and_line(tmp_path):
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    (site / "site.yaml").write_text("title: x\nper_pgae: 5\nper_page: many\n", encoding="utf-8")
    out = run("build", cwd=site)
    assert out.returncode == 1
    assert "site.yaml:2: unknown setting 'per_pgae'" in out.stderr and "per_page" in out.stderr
    assert "site.yaml:3: setting 'per_page'" in out.stderr


def test_a_site_yaml_that_yaml_or_utf8_cannot_read_is_an_error_not_a_traceback(tmp_path):
    """An impossible date (in any setting) or a byte of another encoding: every command says
    which file and line, and no traceback."""
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    (site / "site.yaml").write_text("title: x\ndefault_date: 2024-13-45\nextra: {d: 2024-02-30}\n")
    for command in ("build", "import", "check"):
        out = run(command, cwd=site)
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert "site.yaml:2: setting 'default_date'" in out.stderr
    (site / "site.yaml").write_bytes(b'title: "Caf\xe9"\n')
    out = run("build", cwd=site)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "site.yaml:1: not valid UTF-8" in out.stderr


def test_import_exit_status_and_new(tmp_path):
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    (site / "seeds" / "empty.txt").write_text("", encoding="utf-8")
    out = run("import", cwd=site)
    assert out.returncode == 1 and "seeds/empty.txt" in out.stderr and "empty" in out.stderr
    assert (site / "content" / "welcome-to-your-new-site.md").exists()
    made = run("new", "A fresh story", cwd=site)
    assert made.returncode == 0 and (site / "content" / "a-fresh-story.md").exists()
    assert run("new", "A fresh story", cwd=site).returncode == 1


def test_quiet_and_no_color(tmp_path):
    run("init", str(tmp_path / "s"))
    out = run("build", "-q", cwd=tmp_path / "s")
    assert out.returncode == 0 and out.stdout == ""
    (tmp_path / "s" / "content" / "x.md").write_text(
        "---\ndate: 2020-01-01\n---\n", encoding="utf-8"
    )
    failed = run("build", cwd=tmp_path / "s")
    assert "\033[" not in failed.stderr


def test_a_theme_that_is_not_there_is_one_error_naming_site_yaml(tmp_path):
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    untitled = run("new", "  ", cwd=site)
    assert untitled.returncode == 1 and "needs a title" in untitled.stderr
    (site / "site.yaml").write_text("title: x\ntheme: defualt\n", encoding="utf-8")
    out = run("build", cwd=site)
    assert out.returncode == 1
    assert "site.yaml:2: setting 'theme': no theme 'defualt'" in out.stderr
    assert "did you mean 'default'?" in out.stderr
    assert "template not found" not in out.stderr


def test_messages_name_files_from_the_current_folder(tmp_path):
    """Every message names its file as the user would type it from where they are, not by the
    whole path some stages know it by (the settings file, a file left out of content/)."""
    run("init", str(tmp_path / "s"))
    site = tmp_path / "s"
    os.mkfifo(site / "content" / "pipe.md")
    out = run("build", cwd=site)
    assert "warning: content/pipe.md: not a regular file" in out.stderr, out.stderr
    (site / "site.yaml").write_text("title: [x\n", encoding="utf-8")
    out = run("build", cwd=site)
    assert out.returncode == 1 and "error: site.yaml:1: invalid YAML" in out.stderr, out.stderr
    out = run("build", "--site", "s", cwd=tmp_path)
    assert "error: s/site.yaml:1: invalid YAML" in out.stderr, out.stderr
    assert str(tmp_path) not in out.stderr
