"""Code blocks highlighted by Pygments with CSS classes (the theme's stylesheet colours them).
Pure."""

from __future__ import annotations

import functools
import html

from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=256)
def _lexer(name: str):  # -> pygments Lexer | None
    """The lexer for a fence's language, looked up once per process (the lookup scans
    Pygments' whole lexer table; a lexer keeps no state between highlight() calls)."""
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def highlight(code: str, lang: str, _attrs: str = "") -> str:
    """A fence's `<pre>`, or "" when its language is none or unknown (then it is shown as plain
    escaped code). markdown-it's `highlight` option."""
    name = (lang or "").strip().split()[0] if lang else ""
    if not name:
        return ""
    lexer = _lexer(name.lower())
    if lexer is None:
        return ""
    inner = _pygments_highlight(code, lexer, _FORMATTER)
    return (
        f'<pre class="highlight"><code class="language-{html.escape(name)}">{inner}</code></pre>\n'
    )
