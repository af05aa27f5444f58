"""The few splices that turn one long bytes value (or list) into another.

The kept indexes (engine/journal.py) hold packed lists: a search term's postings, a related
term's members, hundreds of kilobytes each for a common word at 100,000 articles. An edit
changes such a list in one or two places (a frequency's byte; a gap put in among the gaps and a
frequency among the frequencies), and writing the whole list to the changes file for that made
one edit's changes larger than an eighth of the base, so every edit wrote a new base (529 MB
of search index at 500,000 articles). A splice is (offset in the old value, bytes cut there,
bytes put in); these are found by the common prefix and suffix, then, in what is left, by the
old middle found whole in the new one (or the new in the old), or by a piece of the old
middle found in the new one and the same done on either side of it, a few levels deep. What
is not found that way is one splice of the rest: the splices are always right, only sometimes
longer than they could be. `list_splices` finds a list's the same way (the search index's
sorted terms), and `composed` makes one set of splices of two, without the value the first
were made for: what a value spliced by an earlier build and changed again is written as.
Pure functions of bytes and lists.
"""

from __future__ import annotations

DEPTH = 4  # levels of splitting around a piece found in both
PROBE = 48  # bytes of the old middle looked for in the new one
SMALL = 2 * PROBE  # a middle this short is one splice

Splices = tuple  # (offset, cut, put, offset, cut, put, ...): offsets in the old value, ascending


def splices(old: bytes, new: bytes) -> Splices:
    """The splices that make `new` from `old` (`spliced(old, splices(old, new)) == new`)."""
    out: list = []
    _find(bytes(old), 0, len(old), bytes(new), 0, len(new), DEPTH, out)
    return tuple(out)


def spliced(old: bytes | list, ops: Splices) -> bytes | list:
    """`old` (bytes or a list) with `ops` applied; ValueError where they do not fit it (a
    damaged file)."""
    if type(ops) is not tuple or len(ops) % 3 or type(old) not in (bytes, list):
        raise ValueError("not splices")
    pieces, at = [], 0
    for i in range(0, len(ops), 3):
        offset, cut, put = ops[i], ops[i + 1], ops[i + 2]
        if (
            type(offset) is not int
            or type(cut) is not int
            or type(put) is not type(old)
            or offset < at
            or cut < 0
            or offset + cut > len(old)
        ):
            raise ValueError("not splices")
        pieces += (old[at:offset], put)
        at = offset + cut
    pieces.append(old[at:])
    if type(old) is bytes:
        return b"".join(pieces)
    out: list = []
    for piece in pieces:
        out += piece
    return out


def composed(first: Splices, then: Splices) -> Splices:
    """The splices doing `first`, then `then` (whose offsets are in what `first` made): one set
    of splices of the value `first` was made for, worked out without that value. Pieces of it
    (its end left open) and what the splices put in, as `then` moves them."""
    puts = [ops[i] for ops in (first, then) for i in range(2, len(ops), 3)]
    if not puts:
        return ()
    empty = puts[0][:0]
    pieces: list = []  # (start, end or None: to the end) of the old value, or what was put in
    at = 0
    for i in range(0, len(first), 3):
        offset, cut, put = first[i : i + 3]
        if offset > at:
            pieces.append((at, offset))
        if put:
            pieces.append(put)
        at = offset + cut
    pieces.append((at, None))
    out: list = []
    rest = iter(pieces)
    piece = next(rest, None)
    at = 0  # where `piece` starts in what `first` made
    for i in range(0, len(then), 3):
        offset, cut, put = then[i : i + 3]
        while piece is not None and offset > at:  # kept up to the offset
            head, piece = _split(piece, offset - at)
            out.append(head)
            at += _length(head)
            if piece is None:
                piece = next(rest, None)
        if put:
            out.append(put)
        while piece is not None and cut:  # cut
            head, piece = _split(piece, cut)
            cut -= _length(head)
            at += _length(head)
            if piece is None:
                piece = next(rest, None)
    if piece is not None:
        out.append(piece)
    out += rest
    ops: list = []
    at, held = 0, []
    for piece in out:
        if type(piece) is tuple:
            if piece[0] != at or held:
                ops += (at, piece[0] - at, _joined(held, empty))
                held = []
            if piece[1] is None:
                break
            at = piece[1]
        else:
            held.append(piece)
    return tuple(ops)


def _split(piece: tuple | bytes | list, n: int) -> tuple:
    """The first `n` of a piece (all of it when shorter) and the rest of it (None: none)."""
    if type(piece) is tuple:
        start, end = piece
        if end is not None and end - start <= n:
            return piece, None
        return (start, start + n), (start + n, end)
    if len(piece) <= n:
        return piece, None
    return piece[:n], piece[n:]


def _length(piece: tuple | bytes | list) -> int:
    return piece[1] - piece[0] if type(piece) is tuple else len(piece)


def _joined(pieces: list, empty: bytes | list) -> bytes | list:
    if type(empty) is bytes:
        return b"".join(pieces)
    out = list(empty)
    for piece in pieces:
        out += piece
    return out


def size(ops: Splices) -> int:
    """About what `ops` take in a file: the bytes (or items) they put in and a few for each."""
    return sum(len(ops[i]) for i in range(2, len(ops), 3)) + 12 * (len(ops) // 3)


def _find(
    old: bytes, o1: int, o2: int, new: bytes, n1: int, n2: int, depth: int, out: list
) -> None:
    """Append to `out` the splices making `new[n1:n2]` from `old[o1:o2]`."""
    o1, o2, n1, n2 = _trimmed(old, o1, o2, new, n1, n2)
    ol, nl = o2 - o1, n2 - n1
    if not ol and not nl:
        return
    if depth and ol >= SMALL and nl >= SMALL:
        if ol < nl:  # two places where bytes were put in: the old middle is in the new one
            q = new.find(old[o1:o2], n1, n2)
            if q >= 0:
                out += (o1, 0, new[n1:q], o2, 0, new[q + ol : n2])
                return
        elif nl < ol:  # two places where bytes were cut
            q = old.find(new[n1:n2], o1, o2)
            if q >= 0:
                out += (o1, q - o1, b"", q + nl, o2 - q - nl, b"")
                return
        for quarter in (2, 1, 3):  # a piece from the middle, else from either side of it
            mid = o1 + ol * quarter // 4
            probe = old[mid : mid + PROBE]
            # where the piece moved to: near its own place first (the bytes before it grew or
            # shrank by little), anywhere after that
            near = n1 + mid - o1
            reach = abs(nl - ol) + PROBE
            q = new.find(probe, max(n1, near - reach), min(n2, near + reach + PROBE))
            if q < 0:
                q = new.find(probe, n1, n2)
            if q >= 0:
                left = _suffix(old, mid, new, q, min(mid - o1, q - n1))
                right = _prefix(old, mid, new, q, min(o2 - mid, n2 - q))
                _find(old, o1, mid - left, new, n1, q - left, depth - 1, out)
                _find(old, mid + right, o2, new, q + right, n2, depth - 1, out)
                return
    out += (o1, ol, new[n1:n2])


def list_splices(old: list, new: list) -> Splices:
    """The splices that make the list `new` from `old`, found as `splices` finds them for
    bytes, a piece being one item (`list.index`). A sorted list with items put in or taken out
    here and there (the search index's terms after an edit) is as many short splices."""
    out: list = []
    _find_items(old, 0, len(old), new, 0, len(new), DEPTH + 4, out)
    return tuple(out)


def _find_items(
    old: list, o1: int, o2: int, new: list, n1: int, n2: int, depth: int, out: list
) -> None:
    o1, o2, n1, n2 = _trimmed(old, o1, o2, new, n1, n2)
    ol, nl = o2 - o1, n2 - n1
    if not ol and not nl:
        return
    if depth and ol > 2 and nl > 2:
        mid = o1 + ol // 2
        near = n1 + mid - o1
        reach = abs(nl - ol) + 2
        q = _index(new, old[mid], max(n1, near - reach), min(n2, near + reach + 1))
        if q < 0:
            q = _index(new, old[mid], n1, n2)
        if q >= 0:
            _find_items(old, o1, mid, new, n1, q, depth - 1, out)
            _find_items(old, mid, o2, new, q, n2, depth - 1, out)
            return
    out += (o1, ol, new[n1:n2])


def _index(items: list, item: object, start: int, stop: int) -> int:
    try:
        return items.index(item, start, stop)
    except ValueError:
        return -1


def _trimmed(
    old: bytes | list, o1: int, o2: int, new: bytes | list, n1: int, n2: int
) -> tuple[int, int, int, int]:
    """The ranges `old[o1:o2]` and `new[n1:n2]` without what they share at their start and
    their end."""
    p = _prefix(old, o1, new, n1, min(o2 - o1, n2 - n1))
    o1, n1 = o1 + p, n1 + p
    s = _suffix(old, o2, new, n2, min(o2 - o1, n2 - n1))
    return o1, o2 - s, n1, n2 - s


def _prefix(a: bytes | list, i: int, b: bytes | list, j: int, n: int) -> int:
    """How many of the `n` bytes (or items) from `a[i]` and from `b[j]` are the same from
    their start: the length compared halved each time, each comparison one pass in C over
    copies (a `memcmp` for bytes)."""
    if a[i : i + n] == b[j : j + n]:
        return n
    lo, hi = 0, n  # the first lo are the same, the first hi are not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[i + lo : i + mid] == b[j + lo : j + mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _suffix(a: bytes | list, i: int, b: bytes | list, j: int, n: int) -> int:
    """How many of the `n` bytes (or items) before `a[i]` and before `b[j]` are the same
    from their end."""
    if a[i - n : i] == b[j - n : j]:
        return n
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[i - mid : i - lo] == b[j - mid : j - lo]:
            lo = mid
        else:
            hi = mid
    return lo
