"""`sitegen check`: reads a built output folder and finds what readers would trip over.

Sits above build in the pipeline (it reads what the build wrote, and the content files to say
where a problem comes from): pages.py parses one page, sources.py maps pages back to content
files and lines, links.py walks the output and checks links, fragments, images, feeds and the
sitemap, external.py fetches external links when asked to (the only part that uses the network).
"""
