"""Adding keys to a content file's front matter in the format it is written in.

Part of `sitegen migrate` (ingest stage): a moved post may need `slug`, `aliases`, `url` or a
`category` the old site implied. The keys go in as lines of the file's own format (YAML, TOML,
JSON or Pelican header lines), right after the opening line; everything else in the file stays
byte for byte. A key already there (in any case) is replaced.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sitegen.content.frontmatter import split_front_matter


def _yaml_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _remove_block(lines: list[str], start: int, end: int, key: str, fmt: str) -> list[str]:
    """Lines start..end of the front matter without the key's own lines (its value may run
    over indented or list lines in YAML, or a bracketed array in TOML)."""
    sep = "=" if fmt == "toml" else ":"
    pattern = re.compile(rf"^{re.escape(key)}\s*{sep}", re.I)
    out = lines[:start]
    i = start
    while i < end:
        line = lines[i]
        if pattern.match(line):
            i += 1
            if fmt == "yaml":
                while i < end and (lines[i][:1] in (" ", "\t", "-") or not lines[i].strip()):
                    i += 1
            elif fmt == "toml":
                depth = line.count("[") - line.count("]")
                while i < end and depth > 0:
                    depth += lines[i].count("[") - lines[i].count("]")
                    i += 1
            continue
        out.append(line)
        i += 1
    return out + lines[end:]


def _header_value(value: Any) -> str:
    """A value as a Pelican header line writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return ", ".join(value) if isinstance(value, list) else str(value)


def add_keys(text: str, edits: dict[str, Any]) -> str:
    """`text` with `edits` set in its front matter (a YAML block is added to a file without)."""
    if not edits:
        return text
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix("\ufeff")
    crlf = "\r\n" in text[:4096]
    if crlf:
        text = text.replace("\r\n", "\n")
    fm = split_front_matter(text, "")
    lines = text.split("\n")
    if fm.format in ("yaml", "toml"):
        fence = "---" if fm.format == "yaml" else "+++"
        if lines[0].rstrip() != fence:  # `---title: x`: the key on a line of its own
            lines = [fence, lines[0][len(fence) :], *lines[1:]]
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == fence)
        for key in edits:
            before = len(lines)
            lines = _remove_block(lines, 1, end, key, fm.format)
            end -= before - len(lines)
        if fm.format == "yaml":
            new = [f"{k}: {_yaml_value(v)}" for k, v in edits.items()]
        else:
            new = [f"{k} = {_yaml_value(v)}" for k, v in edits.items()]
        lines = lines[:1] + new + lines[1:]
        out = "\n".join(lines)
    elif fm.format == "json":
        start = len(text) - len(text.lstrip())
        data, stop = json.JSONDecoder().raw_decode(text, start)
        for key in edits:
            for existing in [k for k in data if k.lower() == key.lower()]:
                del data[existing]
        data.update(edits)
        out = json.dumps(data, ensure_ascii=False, indent=2) + text[stop:]
    elif fm.format == "pelican":
        end = fm.body_line - 1
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        header = lines[:end]
        keep: list[str] = []
        skipping = False
        for line in header:
            m = re.match(r"^([A-Za-z][\w -]*):", line)
            if m:
                skipping = m.group(1).strip().lower() in {k.lower() for k in edits}
            if not skipping:
                keep.append(line)
        new = [f"{k.capitalize()}: {_header_value(v)}" for k, v in edits.items()]
        out = "\n".join(keep[:1] + new + keep[1:] + lines[end:])
    else:
        out = (
            "---\n"
            + "".join(f"{k}: {_yaml_value(v)}\n" for k, v in edits.items())
            + "---\n\n"
            + text
        )
    if crlf:
        out = out.replace("\n", "\r\n")
    return bom + out
