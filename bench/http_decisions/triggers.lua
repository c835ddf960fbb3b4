-- wrk script: POST /v1/decisions/triggers, a distinct idempotency key per request, spread over
-- 5,000 accounts. Env: STEWARD_TOKEN (agent or admin).
local token = os.getenv("STEWARD_TOKEN")
local counter = 0
local threads = {}

-- Each wrk thread has its own Lua state, seeded alike: math.random would give every thread the
-- same keys. setup() gives each a distinct global `thread_id`, and `run` keeps keys distinct
-- from an earlier run against the same data.
function setup(thread)
  thread:set("thread_id", #threads)
  thread:set("run", os.time())
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"account_id":"acct-%d","trigger_type":"SIGNAL_ARRIVED","idempotency_key":"w%d-%d-%d"}',
    counter % 5000, run, thread_id, counter)
  return wrk.format(nil, "/v1/decisions/triggers", nil, body)
end

-- A DUPLICATE answer would mean a key was sent twice (not what is measured).
duplicates = 0
function response(status, headers, body)
  if string.find(body, '"DUPLICATE"', 1, true) then duplicates = duplicates + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local d = 0
  for _, t in ipairs(threads) do d = d + t:get("duplicates") end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d sockerr=%d duplicates=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, d))
end
