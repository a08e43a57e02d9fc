-- wrk script of `make bench-identify`: POST one student's email per request, spread over the whole district.
-- Environment: BENCH_PATH, BENCH_KEY (empty for the reference), BENCH_STUDENTS, BENCH_DOMAIN, BENCH_SEED.
local path = os.getenv("BENCH_PATH")
local key = os.getenv("BENCH_KEY") or ""
local students = tonumber(os.getenv("BENCH_STUDENTS"))
local domain = os.getenv("BENCH_DOMAIN")
math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))

local headers = {
  ["Content-Type"] = "application/json",
  -- Production settings redirect plain HTTP; in service a TLS proxy in front says the request came over HTTPS.
  ["X-Forwarded-Proto"] = "https",
}
if key ~= "" then headers["Authorization"] = "Bearer " .. key end

request = function()
  local n = math.random(1, students)
  local body = '{"email": "s' .. n .. '@' .. domain .. '", "platform": "chromebook", "device_id": "bench-' .. n .. '"}'
  return wrk.format("POST", path, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
