"""Writing content: seeds -> content/*.md, automatic tags, the `init` scaffold."""
