-- wrk script: POST /v1/intents with the gate running, a distinct intent per request.
-- Env: STEWARD_TOKEN (admin or agent token), ACCOUNTS (spread over acct-0..N-1, default 16).
local token = os.getenv("STEWARD_TOKEN")
local accounts = tonumber(os.getenv("ACCOUNTS") or "16")
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
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
    '{"action_intent_id":"w%d-%d-%d","account_id":"acct-%d","action_type":"CREATE_INTERNAL_TASK",' ..
    '"parameters":{"title":"bench"},"confidence_score":0.9}',
    thread_id, counter, os.time(), counter % accounts)
  return wrk.format(nil, "/v1/intents", nil, body)
end

local non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout))
end
