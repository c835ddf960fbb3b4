-- wrk script: the mixed workload of the load test (docs/RELIABILITY.md, "Load").
--
-- Per 20 requests of a thread (interleaved over its connections):
--    8  POST /v1/intents with the gate          (40%) — even ones on a budget account
--                                                       acct-b<i>, odd ones on acct-h<i>,
--                                                       which has no budget (REQUIRE_APPROVAL)
--    4  POST /v1/decisions/triggers              (20%) — a distinct idempotency key each
--    5  reads                                    (25%) — intents, executions, budget state,
--                                                       inbox, one intent by id
--    3  POST /v1/intents/{id}/approve            (15%) — intents this thread saw answered
--                                                       REQUIRE_APPROVAL, oldest first
-- Every request carries X-Request-Id "<kind>[<tenant>]-…", which the server echoes, so
-- response() can count statuses per kind (and learn an intent's tenant) although a thread's
-- connections interleave.
--
-- Env: AGENT_TOKENS, APPROVER_TOKENS, ADMIN_TOKENS (comma-separated, one per tenant, same
-- order; each run of 20 requests goes to the next tenant); RUN_ID (unique per run: ids are
-- "L<RUN_ID>-<thread>-<n>"); BUDGET_ACCOUNTS (default 8), HUMAN_ACCOUNTS (default 4),
-- DECISION_ACCOUNTS (default 200).
-- Prints one line "MIXED key=value …" in done(): requests, counts per kind and status
-- (c_201=…, a_200=…), the 5xx / 429 / other non-2xx sums, gate results, approvals skipped for
-- want of an id, socket errors, timeouts, and latency max/p99/p50 in ms.

-- One token of each role per tenant, in the same order: request n goes to tenant n % T.
local function split(s)
  local out = {}
  for tok in string.gmatch(s or "", "[^,]+") do table.insert(out, tok) end
  return out
end
local agents = split(os.getenv("AGENT_TOKENS"))
local approvers = split(os.getenv("APPROVER_TOKENS"))
local admins = split(os.getenv("ADMIN_TOKENS"))
local tenants = #agents
-- Each cycle of 20 requests goes to one tenant, so every tenant gets the whole mix.
local function tenant_of(k) return math.floor(k / 20) % tenants + 1 end
local run_id = os.getenv("RUN_ID") or tostring(os.time())
local budget_accounts = tonumber(os.getenv("BUDGET_ACCOUNTS") or "8")
local human_accounts = tonumber(os.getenv("HUMAN_ACCOUNTS") or "4")
local decision_accounts = tonumber(os.getenv("DECISION_ACCOUNTS") or "200")

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Per thread (each thread has its own Lua state).
tid = 0
counter = 0
stats = {}            -- "<kind>_<status>" -> count
gate = {}             -- gate result -> count
approve_skipped = 0   -- approval slots with no id waiting (sent as a read instead)
last_error = ""
local pending = {}    -- ids answered REQUIRE_APPROVAL, not yet approved (FIFO)
local head, tail = 1, 0
local last_id = {}    -- per tenant: the last intent created

local function bump(t, k) t[k] = (t[k] or 0) + 1 end

local function headers(token, kind)
  counter = counter + 1
  return {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["X-Request-Id"] = string.format("%s-%d-%d", kind, tid, counter),
  }
end

local n = 0
local function read_request()
  local t = tenant_of(n)
  local r = n % 5
  local acct = string.format("acct-b%d", n % budget_accounts)
  local path
  if r == 0 then
    path = "/v1/intents?account_id=" .. acct .. "&limit=20"
  elseif r == 1 then
    path = "/v1/executions?limit=20"
  elseif r == 2 then
    path = "/v1/autonomy/budget/state?account_id=" .. acct
  elseif r == 3 then
    path = "/v1/inbox?limit=20"
  elseif last_id[t] then
    path = "/v1/intents/" .. last_id[t]
  else
    path = "/v1/ledger?limit=20"
  end
  return wrk.format("GET", path, headers(admins[t], "r" .. t), nil)
end

function request()
  n = n + 1
  local slot = n % 20
  if slot < 8 then
    local id = string.format("L%s-%d-%d", run_id, tid, n)
    local acct
    if slot % 2 == 0 then
      acct = string.format("acct-b%d", (n / 2) % budget_accounts)
    else
      acct = string.format("acct-h%d", n % human_accounts)
    end
    local body = string.format(
      '{"action_intent_id":"%s","account_id":"%s","action_type":"CREATE_INTERNAL_TASK",' ..
      '"parameters":{"title":"load %d"},"confidence_score":0.9}', id, acct, n)
    return wrk.format("POST", "/v1/intents", headers(agents[tenant_of(n)], "c" .. tenant_of(n)), body)
  elseif slot < 12 then
    local body = string.format(
      '{"account_id":"acct-d%d","trigger_type":"%s","idempotency_key":"L%s-%d-%d"}',
      n % decision_accounts, (n % 3 == 0) and "LIFECYCLE_STATE_CHANGE" or "SIGNAL_ARRIVED",
      run_id, tid, n)
    return wrk.format("POST", "/v1/decisions/triggers", headers(agents[tenant_of(n)], "d"), body)
  elseif slot < 17 then
    return read_request()
  else
    if head > tail then
      approve_skipped = approve_skipped + 1
      return read_request()
    end
    local entry = pending[head]
    pending[head] = nil
    head = head + 1
    local body = string.format('{"account_id":"%s"}', entry.acct)
    return wrk.format("POST", "/v1/intents/" .. entry.id .. "/approve",
                      headers(approvers[entry.t], "a"), body)
  end
end

function response(status, hdrs, body)
  local rid = hdrs["X-Request-Id"] or hdrs["x-request-id"] or "?"
  local kind = rid:sub(1, 1)
  local ok = status >= 200 and status < 300
  bump(stats, kind .. "_" .. status)
  if not ok then
    last_error = string.format("%d %s %s", status, rid, (body or ""):sub(1, 200))
  end
  if kind == "c" and ok then
    -- Keys are sorted: the body opens with "gate", whose "result" is the first one.
    local result = body:match('"result":"([A-Z_]+)"') or "?"
    bump(gate, result)
    local id = body:match('"action_intent_id":"([^"]+)"')
    local acct = body:match('"account_id":"([^"]+)"')
    local t = tonumber(rid:match("^c(%d+)-")) or 1
    if id then last_id[t] = id end
    if result == "REQUIRE_APPROVAL" and id and acct then
      tail = tail + 1
      pending[tail] = {id = id, acct = acct, t = t}
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  local gates = {}
  local skipped = 0
  local last = ""
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("stats")) do total[k] = (total[k] or 0) + v end
    for k, v in pairs(t:get("gate")) do gates[k] = (gates[k] or 0) + v end
    skipped = skipped + t:get("approve_skipped")
    local le = t:get("last_error")
    if le ~= "" then last = le end
  end
  local e = summary.errors
  local parts = {
    string.format("requests=%d", summary.requests),
    string.format("rps=%.0f", summary.requests / (summary.duration / 1e6)),
    string.format("max_ms=%.1f", latency.max / 1000),
    string.format("p99_ms=%.1f", latency:percentile(99) / 1000),
    string.format("p50_ms=%.1f", latency:percentile(50) / 1000),
    string.format("sockerr=%d", e.connect + e.read + e.write),
    string.format("timeouts=%d", e.timeout),
    string.format("approve_skipped=%d", skipped),
  }
  -- Per kind and status ("c_201=…"), then the sums the load test asserts on.
  local keys = {}
  for k in pairs(total) do table.insert(keys, k) end
  table.sort(keys)
  local s5xx, s429, sother = 0, 0, 0
  for _, k in ipairs(keys) do
    table.insert(parts, string.format("%s=%d", k, total[k]))
    local status = tonumber(k:sub(3))
    if status >= 500 then
      s5xx = s5xx + total[k]
    elseif status == 429 then
      s429 = s429 + total[k]
    elseif status < 200 or status >= 300 then
      sother = sother + total[k]
    end
  end
  table.insert(parts, string.format("status_5xx=%d status_429=%d status_other_non2xx=%d",
                                    s5xx, s429, sother))
  for k, v in pairs(gates) do table.insert(parts, string.format("gate_%s=%d", k, v)) end
  io.write("MIXED " .. table.concat(parts, " ") .. "\n")
  if last ~= "" then io.write("MIXED_LAST_ERROR " .. last .. "\n") end
end
