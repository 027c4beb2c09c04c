"""Check recorded cassettes against the contracts: ``python -m mocks.contracts check [PATH ...]``.

Each interaction of a cassette is matched to the route of its service's mock (the
routes' schemas come from the mock class's `build_routes()`); its request is checked
against the route's request schema (unless the service refused it with a 4xx, as the
contract says it should), its response against the response or error schema,
and each streamed event against the stream schema, exactly as the mock checks live
traffic. Any violation makes the command exit 1, for CI. (The JSON Schemas themselves
live in the repository's top-level ``contracts/`` folder.)
"""

from ._check import CassetteCheck, check_cassette, main

__all__ = ["CassetteCheck", "check_cassette", "main"]
