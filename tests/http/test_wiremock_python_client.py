"""The PyPI ``wiremock`` client, configured only by MockHTTP's admin URL, drives mappings,
the journal, near misses, scenarios and reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from wiremock.client import (
    HttpMethods,
    Mapping,
    MappingRequest,
    MappingResponse,
    Mappings,
    NearMisses,
    Requests,
    Scenarios,
)
from wiremock.constants import Config
from wiremock.exceptions import NotFoundException
from wiremock.resources.near_misses import NearMissMatchPatternRequest, NearMissMatchRequest

from mocks import MockHTTP


@pytest.fixture
def mock() -> Iterator[MockHTTP]:
    with MockHTTP.start(wiremock=True) as served:
        Config.base_url = served.url + "/__admin"
        yield served


def greeting(url: str = "/hello", body: str = "hi", **extra: object) -> Mapping:
    return Mapping(
        request=MappingRequest(method=HttpMethods.GET, url=url),
        response=MappingResponse(status=200, body=body),
        **extra,
    )


def test_mappings_create_list_get_edit_delete(mock: MockHTTP) -> None:
    created = Mappings.create_mapping(greeting(priority=3))
    assert created.id
    assert requests.get(mock.url + "/hello", timeout=5).text == "hi"

    listed = Mappings.retrieve_all_mappings()
    assert listed.meta.total == 1
    assert listed.mappings[0].request.url == "/hello"
    assert Mappings.retrieve_mapping(created.id).priority == 3

    created.response = MappingResponse(status=202, body="changed")
    Mappings.update_mapping(created)
    answer = requests.get(mock.url + "/hello", timeout=5)
    assert (answer.status_code, answer.text) == (202, "changed")

    Mappings.delete_mapping(created.id)
    assert requests.get(mock.url + "/hello", timeout=5).status_code == 404
    with pytest.raises(NotFoundException):
        Mappings.retrieve_mapping(created.id)


def test_delete_all_and_reset_mappings_keep_file_mappings_recoverable(
    mock: MockHTTP, tmp_path: object
) -> None:
    Mappings.create_mapping(greeting("/a"))
    Mappings.create_mapping(greeting("/b"))
    assert Mappings.retrieve_all_mappings().meta.total == 2
    Mappings.delete_all_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0
    Mappings.create_mapping(greeting("/c"))
    Mappings.reset_mappings()  # back to the mappings loaded from files: none here
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_delete_by_metadata(mock: MockHTTP) -> None:
    Mappings.create_mapping(greeting("/tagged", metadata={"team": "payments"}))
    Mappings.create_mapping(greeting("/other", metadata={"team": "search"}))
    Mappings.delete_mapping_by_metadata(
        {"matchesJsonPath": {"expression": "$.team", "equalTo": "payments"}}
    )
    left = Mappings.retrieve_all_mappings()
    assert [m.request.url for m in left.mappings] == ["/other"]


def test_request_journal_count_find_unmatched_reset(mock: MockHTTP) -> None:
    Mappings.create_mapping(greeting())
    requests.get(mock.url + "/hello", timeout=5)
    requests.get(mock.url + "/hello", timeout=5)
    requests.get(mock.url + "/nope", timeout=5)

    everything = Requests.get_all_received_requests()
    assert everything.meta.total == 3
    assert everything.requests[0].request.url == "/nope"  # newest first, as WireMock
    one = Requests.get_request(everything.requests[1].id)
    assert one.request.url == "/hello"
    assert one.response_definition.status == 200

    pattern = NearMissMatchPatternRequest(url="/hello", method="GET")
    assert Requests.get_matching_request_count(pattern).count == 2
    found = Requests.get_matching_requests(pattern)
    assert [r.url for r in found.requests] == ["/hello", "/hello"]

    unmatched = Requests.get_unmatched_requests()
    assert [r.url for r in unmatched.requests] == ["/nope"]
    misses = Requests.get_unmatched_requests_near_misses()
    assert misses.near_misses[0].request.url == "/nope"

    Requests.reset_request_journal()
    assert Requests.get_all_received_requests().meta.total == 0
    mock.reset()  # the unmatched request above is a problem verify() would report


def test_near_misses_by_request_and_by_pattern(mock: MockHTTP) -> None:
    Mappings.create_mapping(greeting("/orders"))
    Mappings.create_mapping(greeting("/users"))
    by_request = NearMisses.find_nearest_misses_by_request(
        NearMissMatchRequest(url="/orderz", method="GET")
    )
    assert len(by_request.near_misses) == 2
    distances = [m.match_result.distance for m in by_request.near_misses]
    assert distances == sorted(distances) and 0 < distances[0] <= 1

    requests.get(mock.url + "/users", timeout=5)
    by_pattern = NearMisses.find_nearest_misses_by_request_pattern(
        NearMissMatchPatternRequest(url="/users", method="POST")
    )
    assert by_pattern.near_misses[0].request.url == "/users"
    assert 0 < by_pattern.near_misses[0].match_result.distance < 1


def test_scenarios_move_and_reset(mock: MockHTTP) -> None:
    Mappings.create_mapping(
        Mapping(
            request=MappingRequest(method=HttpMethods.POST, url="/door"),
            response=MappingResponse(status=200, body="opened"),
            scenario_name="door",
            required_scenario_state="Started",
            new_scenario_state="open",
        )
    )
    Mappings.create_mapping(
        Mapping(
            request=MappingRequest(method=HttpMethods.GET, url="/door"),
            response=MappingResponse(status=200, body="it is open"),
            scenario_name="door",
            required_scenario_state="open",
        )
    )
    assert requests.get(mock.url + "/door", timeout=5).status_code == 404
    assert requests.post(mock.url + "/door", timeout=5).text == "opened"
    assert requests.get(mock.url + "/door", timeout=5).text == "it is open"
    listed = requests.get(mock.url + "/__admin/scenarios", timeout=5).json()["scenarios"]
    assert [(s["name"], s["state"], s["possibleStates"]) for s in listed] == [
        ("door", "open", ["Started", "open"])
    ]
    Scenarios.reset_all_scenarios()
    assert requests.get(mock.url + "/door", timeout=5).status_code == 404
    mock.reset()


def test_a_bad_mapping_gets_wiremocks_422_naming_the_field(mock: MockHTTP) -> None:
    answer = requests.post(
        mock.url + "/__admin/mappings",
        json={"request": {"url": "/x", "headers": {"A": {"equalToXml": "<a/>"}}}},
        timeout=5,
    )
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == "/request/headers/A/equalToXml"
    assert "equalToXml" in error["title"]
    assert requests.post(mock.url + "/__admin/mappings", data="nope", timeout=5).status_code == 422


def test_full_reset_restores_file_mappings_and_clears_the_journal(tmp_path: object) -> None:
    from wiremock_cases import CORPUS

    with MockHTTP.start(stubs=CORPUS) as served:
        Config.base_url = served.url + "/__admin"
        total = Mappings.retrieve_all_mappings().meta.total
        Mappings.create_mapping(greeting("/extra"))
        requests.get(served.url + "/extra", timeout=5)
        assert requests.post(served.url + "/__admin/reset", timeout=5).status_code == 200
        assert Mappings.retrieve_all_mappings().meta.total == total
        assert Requests.get_all_received_requests().meta.total == 0


def test_native_and_wiremock_shapes_share_the_routes_both_apis_use(mock: MockHTTP) -> None:
    requests.get(mock.url + "/nothing", timeout=5)
    wiremock = requests.get(mock.url + "/__admin/requests", timeout=5).json()
    assert wiremock["meta"] == {"total": 1}
    native = requests.get(
        mock.url + "/__admin/requests", headers={"X-Mock-Admin-Dialect": "native"}, timeout=5
    ).json()
    assert native["total"] == 1 and native["requests"][0]["path"] == "/nothing"
    counted = requests.post(
        mock.url + "/__admin/requests/count",
        json={"kind": "path", "value": "/nothing"},
        timeout=5,
    ).json()
    assert counted == {"count": 1}  # a native matcher body answers natively
    settings = requests.put(mock.url + "/__admin/settings", json={"fixedDelay": 5}, timeout=5)
    assert settings.status_code == 200
    assert requests.get(mock.url + "/__admin/settings", timeout=5).json() == {
        "settings": {"fixedDelay": 5}
    }
    mock.reset()


def test_a_multi_valued_header_is_sent_once_per_value(mock: MockHTTP) -> None:
    for url, templated in (("/cookies", False), ("/cookies-templated", True)):
        response: dict[str, object] = {
            "status": 200,
            "headers": {"Set-Cookie": ["a=1", "b={{request.path.[0]}}"]},
            "body": "ok",
        }
        if templated:
            response["transformers"] = ["response-template"]
        created = requests.post(
            mock.url + "/__admin/mappings",
            json={"request": {"url": url, "method": "GET"}, "response": response},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        answer = requests.get(mock.url + url, timeout=5)
        second = "b=cookies-templated" if templated else "b={{request.path.[0]}}"
        assert answer.raw.headers.getlist("Set-Cookie") == ["a=1", second]
    refused = requests.post(
        mock.url + "/__admin/mappings",
        json={"request": {"url": "/x"}, "response": {"headers": {"Set-Cookie": ["a", 2]}}},
        timeout=5,
    )
    assert refused.status_code == 422
    mock.reset()
