"""The writer: the only code that touches the output folder."""
