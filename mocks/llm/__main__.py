"""``python -m mocks.llm --port 8080``: MockLLM as a standalone server."""

from mocks.core.cli import main
from mocks.llm import MockLLM

if __name__ == "__main__":
    raise SystemExit(main(MockLLM))
