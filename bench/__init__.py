"""Benchmarks: MockHTTP side by side with pytest-httpserver, MockLLM with mockllm, in one run.

Run ``python -m bench`` (``--quick`` for a run under two minutes); see ``bench/README.md``.
Every server runs in its own subprocess and every load comes from a separate load
generator process (``wrk`` when installed, else a Python keep-alive client), on loopback.
"""
