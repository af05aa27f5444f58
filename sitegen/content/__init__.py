"""Reading content files: discovery, front matter in every format, other generators' syntax. Turns files into `Article` objects."""
