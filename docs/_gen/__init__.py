"""Generators of the documentation pages that come from the code.

Each module returns Markdown as text and imports nothing of MkDocs, so the tests
(``tests/test_docs.py``) use the same code as the build (``docs/_hooks.py``):

- `admin`: the admin API of every mock, from its OpenAPI document, with an example per
  route that runs against a live mock (`examples` loads them, `schemas` renders types);
- `cli`: the command lines, from their ``--help``;
- `api`: the Python API reference (mkdocstrings directives for the public names);
- `blocks`: the fenced code blocks of a page, for the tests and the build's checks.
"""
