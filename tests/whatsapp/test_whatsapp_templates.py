"""Registered templates and the 132001/132000 checks a template send goes through."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from wa_support import Check

from mocks.whatsapp._errors import GraphError
from mocks.whatsapp._templates import TemplateRegistry, placeholders

ORDER_UPDATE: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
    {"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped"},
    {"type": "FOOTER", "text": "thanks"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "URL", "text": "Track", "url": "https://x.example/{{1}}"},
            {"type": "QUICK_REPLY", "text": "Stop"},
        ],
    },
]


def registry() -> TemplateRegistry:
    counter = itertools.count(1000000000000001)
    found = TemplateRegistry(lambda: str(next(counter)))
    found.register("order_update", "en_US", ORDER_UPDATE)
    return found


def send(
    name: str = "order_update", language: str = "en_US", **params: list[Any]
) -> dict[str, Any]:
    components: list[dict[str, Any]] = []
    for key, values in params.items():
        kind, _, index = key.partition("_")
        component: dict[str, Any] = {"type": kind.upper(), "parameters": values}
        if kind == "button":
            component |= {"sub_type": "url", "index": int(index or 0)}
        components.append(component)
    return {"name": name, "language": {"code": language}, "components": components}


def text(*values: str) -> list[dict[str, str]]:
    return [{"type": "text", "text": value} for value in values]


def test_placeholders_are_distinct_and_ordered() -> None:
    assert placeholders("{{2}} and {{1}} and {{2}}") == ["2", "1"]
    assert placeholders("Hi {{ first_name }}") == ["first_name"]


def test_a_complete_send_passes_and_renders() -> None:
    template = registry().check_send(
        send(header=text("A1"), body=text("Alice", "42"), button_0=text("abc"))
    )
    rendered = template.render(
        send(header=text("A1"), body=text("Alice", "42"), button_0=text("abc"))["components"]
    )
    assert rendered == "Order A1\nHi Alice, order 42 shipped\nthanks"


@pytest.mark.parametrize(
    ("params", "component", "expected", "given"),
    [
        ({"header": text("A1"), "body": text("Alice"), "button_0": text("x")}, "body", 2, 1),
        ({"header": text("A1"), "body": text("A", "B", "C"), "button_0": text("x")}, "body", 2, 3),
        ({"body": text("A", "B"), "button_0": text("x")}, "header", 1, 0),
        ({"header": text("A1"), "body": text("A", "B")}, "button[0]", 1, 0),
    ],
)
def test_wrong_parameter_counts_are_132000(
    params: dict[str, list[Any]], component: str, expected: int, given: int
) -> None:
    with pytest.raises(GraphError) as caught:
        registry().check_send(send(**params))
    assert caught.value.code == 132000
    assert caught.value.details == (
        f"{component}: number of localizable_params ({given}) does not match the expected "
        f"number of params ({expected})"
    )


def test_parameters_for_a_component_without_placeholders_are_132000() -> None:
    templates = registry()
    templates.register("plain", "en_US", [{"type": "BODY", "text": "No placeholders"}])
    with pytest.raises(GraphError) as caught:
        templates.check_send(send("plain", body=text("extra")))
    assert caught.value.code == 132000


def test_quick_reply_payloads_are_optional() -> None:
    templates = registry()
    full = send(header=text("A1"), body=text("A", "B"), button_0=text("x"))
    full["components"].append(
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": 1,
            "parameters": [{"type": "payload", "payload": "stop"}],
        }
    )
    assert templates.check_send(full).name == "order_update"


@pytest.mark.parametrize(("name", "language"), [("nope", "en_US"), ("order_update", "de")])
def test_unknown_name_or_language_is_132001(name: str, language: str) -> None:
    with pytest.raises(GraphError) as caught:
        registry().check_send(send(name, language))
    assert (caught.value.code, caught.value.status) == (132001, 404)
    assert f"({name})" in caught.value.details and language in caught.value.details


@pytest.mark.parametrize(("status", "code"), [("PAUSED", 132015), ("DISABLED", 132016)])
def test_paused_and_disabled_templates(status: str, code: int) -> None:
    templates = registry()
    templates.register("held", "en_US", [], status=status)
    with pytest.raises(GraphError) as caught:
        templates.check_send(send("held"))
    assert caught.value.code == code


def test_a_template_registered_without_components_takes_any_parameters() -> None:
    templates = registry()
    template = templates.register("anything")
    assert not template.checked
    assert templates.check_send(send("anything", body=text("a", "b", "c"))) is template


def test_named_parameters() -> None:
    templates = registry()
    template = templates.register(
        "greet", components=[{"type": "BODY", "text": "Hi {{first_name}}"}]
    )
    assert template.parameter_format == "NAMED"
    ok = {"type": "text", "text": "Bob", "parameter_name": "first_name"}
    assert templates.check_send(send("greet", body=[ok])) is template
    assert template.render(send("greet", body=[ok])["components"]) == "Hi Bob"
    wrong = {"type": "text", "text": "Bob", "parameter_name": "last_name"}
    with pytest.raises(GraphError) as caught:
        templates.check_send(send("greet", body=[wrong]))
    assert caught.value.code == 132000


def test_media_header_takes_one_media_parameter() -> None:
    templates = registry()
    templates.register(
        "pic", components=[{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Look"}]
    )
    image = {"type": "image", "image": {"link": "https://x.example/a.png"}}
    assert templates.check_send(send("pic", header=[image])).name == "pic"
    with pytest.raises(GraphError):
        templates.check_send(send("pic"))


def test_register_replaces_and_keeps_the_id_and_lists_filter() -> None:
    templates = registry()
    first = templates.find("order_update", "en_US")
    assert first is not None
    again = templates.register("order_update", "en_US", [{"type": "BODY", "text": "x"}])
    assert again.id == first.id
    templates.register("order_update", "de", [])
    templates.register("promo", "en_US", [], category="marketing", status="PENDING")
    assert [t.language for t in templates.list(name="order_update")] == ["en_US", "de"]
    assert [t.name for t in templates.list(status="PENDING")] == ["promo"]
    promo = templates.find("promo", "en_US")
    assert promo is not None and promo.category == "MARKETING"
    assert templates.delete("order_update") == 2
    assert not templates.knows("order_update")


def test_to_json_is_a_listed_template(conforms: Check) -> None:
    template = registry().find("order_update", "en_US")
    assert template is not None
    listed = template.to_json()
    assert listed["status"] == "APPROVED"
    assert listed["components"] == ORDER_UPDATE
    conforms("template", listed)
