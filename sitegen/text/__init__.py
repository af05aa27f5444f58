"""Text rules used everywhere: slugs, URLs, dates, languages, text statistics, body scanning. The lowest layer: imports nothing else of sitegen but errors."""
