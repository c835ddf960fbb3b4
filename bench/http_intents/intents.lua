-- wrk script: POST /v1/intents with the gate running, a distinct intent per request.
-- Env: STEWARD_TOKEN (admin or agent token), ACCOUNTS (spread over acct-0..N-1, default 16).
local token = os.getenv("STEWARD_TOKEN")
local accounts = tonumber(os.getenv("ACCOUNTS") or "16")
local counter = 0
local threads = {}

-- Each wrk thread has its own Lua state: setup() gives each a distinct global `thread_id`
-- (a `local thread_id` here would shadow it, and every thread would send the same ids), and
-- `run` keeps ids distinct from an earlier run against the same data.
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
    '{"action_intent_id":"w%d-%d-%d","account_id":"acct-%d","action_type":"CREATE_INTERNAL_TASK",' ..
    '"parameters":{"title":"bench"},"confidence_score":0.9}',
    thread_id, counter, run, counter % accounts)
  return wrk.format(nil, "/v1/intents", nil, body)
end

-- 201 is a new intent; 200 would be the replay of an id already sent (not what is measured).
local non2xx = 0
replays = 0
function response(status, headers, body)
  if status == 200 then replays = replays + 1 end
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local r = 0
  for _, t in ipairs(threads) do r = r + t:get("replays") end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d sockerr=%d replays=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, r))
end
