"""The site model built from articles: listings, taxonomies, related articles, search documents, and the page plan."""
