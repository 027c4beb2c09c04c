-- wrk script for bench/: sets the method, headers and body from the environment, and
-- reports wrk's totals as one JSON line (BENCH_JSON {...}) that bench/load.py parses.
-- BENCH_HEADERS holds extra request headers, one "Name: value" a line; a body is sent as
-- JSON unless they name another Content-Type.
local method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY_FILE") or ""
local headers = os.getenv("BENCH_HEADERS") or ""

wrk.method = method
for name, value in headers:gmatch("([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end
if body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  if wrk.headers["Content-Type"] == nil and wrk.headers["content-type"] == nil then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "non_2xx": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max))
end
