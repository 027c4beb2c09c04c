"""The functions the model may call, described as OpenAI tools, and their implementations.

One tool here: ``get_order_status``, which reads the shop's (tiny, fixed) order book.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

#: The shop's orders, by number.
ORDERS = {
    "42": "shipped on Monday; it arrives on Friday",
    "43": "being packed",
    "44": "delivered yesterday",
}


def get_order_status(order_id: str) -> str:
    """Where order `order_id` is."""
    status = ORDERS.get(str(order_id).lstrip("#").strip())
    return f"Order {order_id}: {status}" if status else f"There is no order {order_id}"


#: The tool definitions sent to the model.
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_order_status",
            "description": "Look up where a customer's order is, by its order number.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "the order number"}},
                "required": ["order_id"],
                "additionalProperties": False,
            },
        },
    }
]

_IMPLEMENTATIONS: dict[str, Callable[..., str]] = {"get_order_status": get_order_status}


def run_tool(name: str, arguments: str) -> str:
    """Run the tool `name` with the model's JSON `arguments`; its result as text.

    A call the bot cannot run (unknown tool, arguments that are not a JSON object or do
    not fit) gives a sentence saying so, which goes back to the model as the result.
    """
    function = _IMPLEMENTATIONS.get(name)
    if function is None:
        return f"error: there is no tool named {name!r}"
    try:
        parsed = json.loads(arguments or "{}")
        if not isinstance(parsed, dict):
            raise TypeError("the arguments are not an object")
        return function(**parsed)
    except (ValueError, TypeError) as error:
        return f"error: cannot call {name} with {arguments!r}: {error}"
