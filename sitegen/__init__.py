"""sitegen: a static site generator for news and blog article collections.

Pipeline: seeds/*.txt -> (import) -> content/*.md -> Site model -> page plan -> rendered files.
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject reads it)
