"""The YAML loaders every reader of YAML uses (front matter, site.yaml): safe ones only."""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C loader is ~10x faster; both are safe loaders
    SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader


class TextDatesLoader(SafeLoader):
    """The same safe loader, reading timestamps as text: used again when a value such as
    `date: 2024-02-30` cannot be constructed, so the check of that value (the content
    reader's, or site.yaml's) reports it with its line."""


TextDatesLoader.add_constructor("tag:yaml.org,2002:timestamp", TextDatesLoader.construct_yaml_str)
