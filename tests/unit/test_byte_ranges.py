"""The preview's `Range` answers (serve/static.py::byte_range): what a static host gives."""

from __future__ import annotations

import pytest

from sitegen.serve.static import RangeNotSatisfiable, byte_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),  # more than there is: all of it
        ("bytes=90-500", (90, 99)),  # past the end: to the end
        ("bytes=5-2", None),  # not a range: ignored
        ("bytes=0-1,5-6", None),  # several: the whole file may be sent
        ("items=0-5", None),
        ("bytes=-", None),
    ],
)
def test_a_range_is_the_bytes_it_names_within_the_file(header, expected):
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_a_range_past_the_end_cannot_be_met(header, size):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, size)
