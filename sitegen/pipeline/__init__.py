"""A build's pipeline: load -> model -> plan -> render -> write (steps.py), with what it is
asked and what it reports (request.py). `sitegen/build.py` runs it when the last good build
cannot be replayed."""
