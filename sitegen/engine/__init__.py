"""The speed machinery: code fingerprints, caches, the worker pool and the state one build hands the next."""
