-- wrk script: POST /v1/decisions/triggers, a distinct idempotency key per request, spread over
-- 5,000 accounts. Env: STEWARD_TOKEN (agent or admin).
local token = os.getenv("STEWARD_TOKEN")
local counter = 0
local tid = math.random(1, 1e9)

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  tid = math.random(1, 1e9)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"account_id":"acct-%d","trigger_type":"SIGNAL_ARRIVED","idempotency_key":"w%d-%d"}',
    counter % 5000, tid, counter)
  return wrk.format(nil, "/v1/decisions/triggers", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout))
end
