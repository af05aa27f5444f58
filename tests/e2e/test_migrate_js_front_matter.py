"""An Eleventy site whose pages use JavaScript front matter (`---js`, as Eleventy's own
starter blog does) moves and builds: its literals are read, its code is reported, nothing of
it is run."""

from __future__ import annotations

from pathlib import Path

from sitegen.cli import main

CONFIG = """\
export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy({ "./public/": "/" });
}
export const config = { dir: { input: "content", includes: "../_includes" } };
"""

FILES = {
    "package.json": '{"devDependencies": {"@11ty/eleventy": "^3.0.0"}}\n',
    "eleventy.config.js": CONFIG,
    "content/blog/blog.11tydata.js": 'export default { tags: ["posts"] };\n',
    "content/blog/first.md": "---\ntitle: First\ndate: 2023-01-10\n---\nThe first post.\n",
    "content/blog/second.md": (
        '---js\nconst title = "Second, in JavaScript";\nconst date = "2023-02-01";\n'
        'const tags = ["posts", "lamps"];\nconst words = title.split(" ");\n---\n'
        "The second post.\n"
    ),
    "content/blog/draft.md": '---js\nconst title = "Not yet";\nconst draft = true;\n---\nx\n',
    "content/about.md": (
        '---js\nconst eleventyNavigation = {\n  key: "About",\n  order: 3\n};\n---\n'
        "# About\n\nAbout this site.\n"
    ),
}


def test_javascript_front_matter_moves_as_yaml_and_builds(tmp_path: Path, capsys) -> None:
    source, dest = tmp_path / "eleventy", tmp_path / "moved"
    for name, text in FILES.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    second = (dest / "content" / "blog" / "second.md").read_text(encoding="utf-8")
    head = second.split("---\n")[1]
    assert 'title: "Second, in JavaScript"\n' in head and 'date: "2023-02-01"\n' in head
    assert 'tags: ["lamps"]' in head and "const " not in second
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "Eleventy JavaScript front matter 'words'" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    output = dest / "build"
    page = (output / "blog" / "second" / "index.html").read_text(encoding="utf-8")
    assert "Second, in JavaScript" in page and "2023" in page
    assert (output / "tags" / "lamps" / "index.html").is_file()
    assert not (output / "tags" / "posts").exists()
    assert not (output / "blog" / "draft").exists()
    about = (output / "about" / "index.html").read_text(encoding="utf-8")
    assert "<title>About" in about and "About this site." in about
