"""Turning planned pages into bytes: Markdown, templates, links and images in bodies, theme assets, image variants."""
