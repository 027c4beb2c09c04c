// Drives a server with the npm `wiremock-rest-client`, configured only by its URL (argv[2]).
// Prints one JSON document of what the client got back; any failure exits non-zero.
"use strict";
const { WireMockRestClient } = require("wiremock-rest-client");

async function main() {
  const base = process.argv[2];
  const wireMock = new WireMockRestClient(base, { logLevel: "silent" });
  await wireMock.global.resetAll();
  const created = await wireMock.mappings.createMapping({
    request: { method: "GET", urlPathPattern: "/api/hello/[a-z]+" },
    response: {
      status: 200,
      jsonBody: { hello: "{{request.path.[2]}}" },
      headers: { "Content-Type": "application/json" },
      transformers: ["response-template"],
    },
    metadata: { suite: "node" },
  });
  await wireMock.mappings.createMapping({
    scenarioName: "light",
    requiredScenarioState: "Started",
    newScenarioState: "on",
    request: { method: "POST", url: "/switch" },
    response: { status: 200, body: "switched on" },
  });
  const hello = await (await fetch(`${base}/api/hello/world`)).json();
  const switched = await (await fetch(`${base}/switch`, { method: "POST" })).text();
  const missing = (await fetch(`${base}/not-there`)).status;
  const mappings = await wireMock.mappings.getAllMappings();
  const one = await wireMock.mappings.getMapping(created.id);
  const byMetadata = await wireMock.mappings.findByMetaData({
    matchesJsonPath: { expression: "$.suite", equalTo: "node" },
  });
  const requests = await wireMock.requests.getAllRequests();
  const count = await wireMock.requests.getCount({ method: "GET", urlPathPattern: "/api/.*" });
  const found = await wireMock.requests.findRequests({ method: "POST", url: "/switch" });
  const unmatched = await wireMock.requests.getUnmatchedRequests();
  const scenarios = await wireMock.scenarios.getAllScenarios();
  await wireMock.scenarios.resetScenario("light");
  const afterReset = await wireMock.scenarios.getAllScenarios();
  await wireMock.scenarios.setScenarioState("light", "on");
  const afterSet = await wireMock.scenarios.getAllScenarios();
  await wireMock.mappings.deleteMapping(created.id);
  const afterDelete = await wireMock.mappings.getAllMappings();
  await wireMock.requests.deleteAllRequests(); // WireMock 3 has no POST /requests/reset
  const afterJournalReset = await wireMock.requests.getAllRequests();
  await wireMock.global.resetAll();
  console.log(
    JSON.stringify({
      createdId: created.id,
      hello,
      switched,
      missing,
      mappingsTotal: mappings.meta.total,
      oneUrl: one.request.urlPathPattern,
      byMetadata: byMetadata.mappings.map((m) => m.id),
      requestsTotal: requests.meta.total,
      newestUrl: requests.requests[0].request.url,
      count: count.count,
      found: found.requests.map((r) => r.url),
      unmatched: unmatched.requests.map((r) => r.url),
      scenarios: scenarios.scenarios.map((s) => [s.name, s.state, s.possibleStates]),
      afterReset: afterReset.scenarios.map((s) => s.state),
      afterSet: afterSet.scenarios.map((s) => s.state),
      afterDelete: afterDelete.meta.total,
      afterJournalReset: afterJournalReset.meta.total,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
