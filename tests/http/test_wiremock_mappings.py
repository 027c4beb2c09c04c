"""WireMock mapping files served by MockHTTP: every corpus case over a real socket, loading
through ``stubs=``, ``load_stubs`` and ``--stubs DIR``, and refusals naming file and field."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from wiremock_cases import CORPUS, cases, send

from mocks import MockHTTP
from mocks.core import DataFileError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus_mock() -> Iterator[MockHTTP]:
    with MockHTTP.start(stubs=CORPUS) as mock:
        yield mock


def check(case: dict[str, Any], outcome: Any) -> None:
    """Assert an outcome is what the case expects (the values WireMock gives, too)."""
    name = case["name"]
    if case.get("fault"):
        assert outcome.fault == case["fault"], name
        return
    assert outcome.status == case["status"], f"{name}: {outcome.body[:300]!r}"
    if "body" in case:
        assert outcome.body.decode() == case["body"], name
    if "body_regex" in case:
        assert re.fullmatch(case["body_regex"], outcome.body.decode()), name
    if "min_ms" in case:
        assert outcome.elapsed_ms >= case["min_ms"], name


def test_every_corpus_case_is_answered_as_wiremock_answers_it(corpus_mock: MockHTTP) -> None:
    corpus_mock.reset()
    for case in cases():
        check(case, send(corpus_mock.url, case))


def test_responses_carry_the_mapping_headers_and_no_invented_ones(corpus_mock: MockHTTP) -> None:
    status = requests.get(corpus_mock.url + "/r/status", timeout=5)
    assert status.headers["X-One"] == "1"
    assert status.headers["Content-Type"] == "text/plain"
    assert status.headers["Matched-Stub-Id"] == "00000000-0000-4000-8000-000000000029"
    named = requests.get(corpus_mock.url + "/m/url?a=1&b=two", timeout=5)
    assert named.headers["Matched-Stub-Name"] == "exact url"
    echoed = requests.get(corpus_mock.url + "/r/tpl/headers", headers={"X-Trace": "t-9"}, timeout=5)
    assert echoed.headers["X-Echo"] == "t-9"
    assert echoed.headers.get("Content-Type") != "text/plain; charset=utf-8"
    assert requests.get(corpus_mock.url + "/r/error", timeout=5).headers["Retry-After"] == "5"


def test_random_values_come_from_the_seed(tmp_path: Path) -> None:
    bodies = []
    for _ in range(2):
        with MockHTTP.start(stubs=CORPUS, seed=3) as mock:
            bodies.append(requests.get(mock.url + "/r/tpl/random", timeout=5).text)
    assert bodies[0] == bodies[1]
    with MockHTTP.start(stubs=CORPUS, seed=4) as mock:
        assert requests.get(mock.url + "/r/tpl/random", timeout=5).text != bodies[0]


def test_mappings_are_optional_stubs_and_reset_brings_them_back(corpus_mock: MockHTTP) -> None:
    corpus_mock.reset()
    count = len(corpus_mock.expectations)
    assert count == len(
        json.loads((CORPUS / "mappings/matching.json").read_text())["mappings"]
    ) + len(json.loads((CORPUS / "mappings/responses.json").read_text())["mappings"])
    requests.get(corpus_mock.url + "/m/any", timeout=5)
    corpus_mock.remove_expectation("00000000-0000-4000-8000-000000000002")
    assert requests.get(corpus_mock.url + "/m/any", timeout=5).status_code == 404
    corpus_mock.reset()
    assert len(corpus_mock.expectations) == count
    assert requests.get(corpus_mock.url + "/r/tpl/users/5?q=z", timeout=5).json() == {
        "id": "5",
        "q": "z",
        "n": 1,
    }
    corpus_mock.reset()
    corpus_mock.verify()  # stubs not called are not unmet expectations


def test_wiremock_root_and_native_stub_files_load_together(tmp_path: Path) -> None:
    native = tmp_path / "native.yaml"
    native.write_text("matcher: {kind: path, value: /native}\nresponse: {json: {ok: true}}\n")
    with MockHTTP.start(stubs=[CORPUS, native]) as mock:
        assert requests.get(mock.url + "/native", timeout=5).json() == {"ok": True}
        assert requests.get(mock.url + "/m/any", timeout=5).text == "any-method"
        assert mock.wiremock_mode


def test_load_stubs_takes_a_root_or_a_single_mapping_file(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(
        json.dumps({"request": {"urlPath": "/one"}, "response": {"status": 202, "body": "1"}})
    )
    with MockHTTP.start() as mock:
        assert not mock.wiremock_mode
        mock.load_stubs(single)
        assert mock.wiremock_mode
        response = requests.get(mock.url + "/one", timeout=5)
        assert (response.status_code, response.text) == (202, "1")
        mock.load_stubs(CORPUS)
        assert requests.get(mock.url + "/r/file", timeout=5).text == "Hello from a file\n"


def write_root(root: Path, mapping: dict[str, Any]) -> Path:
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "mappings" / "bad.json").write_text(json.dumps({"mappings": [mapping]}))
    return root


REFUSED = [
    (
        {"request": {"headers": {"Accept": {"equalToXml": "<a/>"}}}, "response": {}},
        "mappings[0].request.headers.Accept.equalToXml",
    ),
    ({"request": {"host": {"equalTo": "x"}}, "response": {}}, "mappings[0].request.host"),
    (
        {
            "request": {},
            "response": {
                "body": "{{#if request.query.a}}x{{/if}}",
                "transformers": ["response-template"],
            },
        },
        "mappings[0].response.body",
    ),
    (
        {"request": {}, "response": {"transformers": ["other-transformer"]}},
        "mappings[0].response.transformers[0]",
    ),
    (
        {"request": {}, "response": {"proxyBaseUrl": "http://x"}},
        "mappings[0].response.proxyBaseUrl",
    ),
    (
        {"request": {}, "response": {"status": 200, "statusMessage": "Fine"}},
        "mappings[0].response.statusMessage",
    ),
    (
        {"request": {}, "response": {"headers": {"Set-Cookie": ["a=1", 2]}}},
        "mappings[0].response.headers.Set-Cookie",
    ),
    (
        {"request": {}, "response": {"bodyFileName": "missing.txt"}},
        "mappings[0].response.bodyFileName",
    ),
    (
        {"request": {"urlPathPattern": "(unclosed"}, "response": {}},
        "mappings[0].request.urlPathPattern",
    ),
    ({"id": "not-a-uuid", "request": {}, "response": {}}, "mappings[0].id"),
    ({"request": {}, "response": {"fault": "SOMETHING"}}, "mappings[0].response.fault"),
    (
        {"request": {"bodyPatterns": [{"matchesJsonPath": "$.a[?(@.b =~ /x/)]"}]}, "response": {}},
        "mappings[0].request.bodyPatterns[0].matchesJsonPath",
    ),
    (
        {"request": {}, "response": {"delayDistribution": {"type": "cauchy"}}},
        "mappings[0].response.delayDistribution",
    ),
    ({"request": {}, "response": {}, "postServeActions": []}, "mappings[0].postServeActions"),
]


@pytest.mark.parametrize(("mapping", "field"), REFUSED, ids=[f for _, f in REFUSED])
def test_unsupported_features_are_refused_naming_file_and_field(
    tmp_path: Path, mapping: dict[str, Any], field: str
) -> None:
    root = write_root(tmp_path / "root", mapping)
    with pytest.raises(DataFileError) as raised:
        MockHTTP(stubs=root)
    assert raised.value.field == field
    assert raised.value.file.endswith("bad.json")
    assert f"bad.json: {field}: " in str(raised.value)


def test_a_refused_root_leaves_nothing_registered(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "a.json").write_text(json.dumps({"request": {"urlPath": "/a"}}))
    (root / "mappings" / "b.json").write_text(
        json.dumps({"request": {"urlPath": "/b", "clientIp": "x"}})
    )
    with MockHTTP.start() as mock:
        with pytest.raises(DataFileError, match=r"b\.json: request\.clientIp"):
            mock.load_stubs(root)
        assert mock.expectations == []


def test_standalone_loads_a_wiremock_root_with_stubs_dir() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.http", "--stubs", str(CORPUS), "--log-level", "WARNING"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"listening on (\S+)", line)
        assert url, line
        assert requests.get(url[1] + "/r/base64", timeout=5).text == "hello binary"
        journal = requests.get(url[1] + "/__admin/requests", timeout=5).json()
        assert journal["meta"]["total"] == 1  # WireMock's shape: a WireMock root was loaded
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_standalone_names_the_file_and_field_of_a_refused_mapping(tmp_path: Path) -> None:
    root = write_root(tmp_path / "root", {"request": {"cookies": {"a": {"before": "now"}}}})
    done = subprocess.run(
        [sys.executable, "-m", "mocks.http", "--stubs", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "bad.json: mappings[0].request.cookies.a.before: " in done.stderr
    assert "Traceback" not in done.stderr
