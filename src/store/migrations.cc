#include "store/migrations.h"

#include "store/postgres/schema.h"

namespace steward::store {
namespace {

// Migration 1: tenants' configuration, intents, the action type registry, budgets, ledger, jobs.
// Conventions: instants are BIGINT milliseconds since the epoch; JSON is TEXT; booleans 0/1;
// account_id '*' means "the whole tenant" in configuration tables.
constexpr std::string_view kV1 = R"SQL(
CREATE TABLE platform_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE kill_switches (
  tenant_id TEXT PRIMARY KEY,
  autonomy_enabled INTEGER NOT NULL DEFAULT 1,
  execution_enabled INTEGER NOT NULL DEFAULT 1,
  disabled_action_types TEXT NOT NULL DEFAULT '[]',
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE policy_settings (
  tenant_id TEXT PRIMARY KEY,
  confidence_threshold DOUBLE PRECISION NOT NULL,
  allow_self_approval INTEGER NOT NULL DEFAULT 0,
  max_pending_jobs BIGINT NOT NULL DEFAULT 10000,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE autonomy_modes (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  action_type TEXT NOT NULL,
  mode TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, action_type)
);
CREATE TABLE allowlists (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  action_types TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE TABLE budget_configs (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  max_autonomous_per_day BIGINT NOT NULL,
  max_per_action_type TEXT NOT NULL DEFAULT '{}',
  timezone TEXT NOT NULL DEFAULT 'UTC',
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE TABLE budget_usage (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  day TEXT NOT NULL,
  action_type TEXT NOT NULL,
  used BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, day, action_type)
);
CREATE TABLE action_types (
  tenant_id TEXT NOT NULL,
  action_type TEXT NOT NULL,
  registry_version BIGINT NOT NULL,
  connector TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  tool_schema_version TEXT NOT NULL,
  risk_class TEXT NOT NULL,
  min_confidence DOUBLE PRECISION NOT NULL,
  required_parameters TEXT NOT NULL,
  compensation TEXT NOT NULL,
  external_contact INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, action_type, registry_version)
);
CREATE TABLE intents (
  tenant_id TEXT NOT NULL,
  action_intent_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  action_type TEXT NOT NULL,
  parameters TEXT NOT NULL,
  target TEXT NOT NULL,
  parameters_schema_version TEXT,
  confidence_score DOUBLE PRECISION,
  risk_level TEXT,
  expires_at BIGINT,
  execution_policy TEXT NOT NULL,
  registry_version BIGINT NOT NULL,
  original_decision_id TEXT,
  trace_id TEXT,
  content_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  gate TEXT,
  approval TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, action_intent_id)
);
CREATE INDEX intents_by_status ON intents (tenant_id, status, created_at);
CREATE INDEX intents_by_account ON intents (tenant_id, account_id, created_at);
CREATE TABLE ledger (
  tenant_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  entry_id TEXT NOT NULL,
  ts BIGINT NOT NULL,
  event_type TEXT NOT NULL,
  account_id TEXT,
  trace_id TEXT,
  action_intent_id TEXT,
  actor TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX ledger_by_intent ON ledger (tenant_id, action_intent_id, seq);
CREATE INDEX ledger_by_ts ON ledger (tenant_id, ts, seq);
CREATE TABLE ledger_heads (
  tenant_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE jobs (
  job_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  dedupe_key TEXT,
  status TEXT NOT NULL,
  run_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_by_tenant ON jobs (tenant_id, status);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (tenant_id, type, dedupe_key);
)SQL";

// The per-tenant count of active (PENDING or RUNNING) jobs, kept by triggers so every path that
// moves a job is counted and the admission check of the gate is one primary-key read instead of
// a COUNT over the queue.
constexpr std::string_view kV2 = R"SQL(
CREATE TABLE job_backlog (
  tenant_id TEXT PRIMARY KEY,
  active BIGINT NOT NULL
);
INSERT INTO job_backlog (tenant_id, active)
  SELECT tenant_id, COUNT(*) FROM jobs WHERE status IN ('PENDING', 'RUNNING') GROUP BY tenant_id;
CREATE TRIGGER jobs_backlog_insert AFTER INSERT ON jobs
  WHEN NEW.status IN ('PENDING', 'RUNNING')
BEGIN
  INSERT INTO job_backlog (tenant_id, active) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET active = active + 1;
END;
CREATE TRIGGER jobs_backlog_delete AFTER DELETE ON jobs
  WHEN OLD.status IN ('PENDING', 'RUNNING')
BEGIN
  UPDATE job_backlog SET active = active - 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER jobs_backlog_leave AFTER UPDATE OF status ON jobs
  WHEN OLD.status IN ('PENDING', 'RUNNING') AND NEW.status NOT IN ('PENDING', 'RUNNING')
BEGIN
  UPDATE job_backlog SET active = active - 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER jobs_backlog_enter AFTER UPDATE OF status ON jobs
  WHEN OLD.status NOT IN ('PENDING', 'RUNNING') AND NEW.status IN ('PENDING', 'RUNNING')
BEGIN
  INSERT INTO job_backlog (tenant_id, active) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET active = active + 1;
END;
)SQL";

// Execution (SPEC §6): one attempt row and at most one outcome row per execution of an intent
// (execution 1, then one per replay), the internal connector's objects, per-tenant connector
// configuration, circuit breakers, the http connector's call records, and the event outbox.
constexpr std::string_view kV3 = R"SQL(
CREATE TABLE execution_attempts (
  tenant_id TEXT NOT NULL,
  action_intent_id TEXT NOT NULL,
  execution_no BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempt_count BIGINT NOT NULL DEFAULT 0,
  idempotency_key TEXT NOT NULL,
  last_error_class TEXT,
  last_error_message TEXT,
  replay_reason TEXT,
  requested_by TEXT,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, action_intent_id, execution_no)
);
CREATE TABLE action_outcomes (
  tenant_id TEXT NOT NULL,
  action_intent_id TEXT NOT NULL,
  execution_no BIGINT NOT NULL,
  account_id TEXT NOT NULL,
  action_type TEXT NOT NULL,
  status TEXT NOT NULL,
  external_object_refs TEXT NOT NULL DEFAULT '[]',
  error_code TEXT,
  error_class TEXT,
  error_message TEXT,
  attempt_count BIGINT NOT NULL,
  tool_name TEXT NOT NULL,
  tool_schema_version TEXT NOT NULL,
  registry_version BIGINT NOT NULL,
  approval_source TEXT,
  auto_executed BIGINT NOT NULL,
  taxonomy TEXT NOT NULL,
  trace_id TEXT,
  started_at BIGINT,
  completed_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, action_intent_id, execution_no)
);
CREATE INDEX outcomes_timeline ON action_outcomes (tenant_id, completed_at, action_intent_id);
CREATE INDEX outcomes_by_account ON action_outcomes (tenant_id, account_id, completed_at);
CREATE TABLE internal_objects (
  tenant_id TEXT NOT NULL,
  object_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  account_id TEXT NOT NULL,
  action_intent_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  title TEXT,
  body TEXT,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, object_id)
);
CREATE UNIQUE INDEX internal_objects_once ON internal_objects (tenant_id, idempotency_key);
CREATE INDEX internal_objects_by_account ON internal_objects (tenant_id, kind, account_id, created_at);
CREATE TABLE connectors (
  tenant_id TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  timeout_ms BIGINT NOT NULL,
  secret TEXT,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, connector_id)
);
CREATE TABLE circuit_breakers (
  tenant_id TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  state TEXT NOT NULL,
  failures TEXT NOT NULL DEFAULT '[]',
  opened_at BIGINT,
  probe_owner TEXT,
  probe_lease_until BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, connector_id)
);
CREATE TABLE connector_calls (
  tenant_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  status TEXT NOT NULL,
  sent_count BIGINT NOT NULL,
  external_object_refs TEXT,
  first_sent_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE TABLE events (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  account_id TEXT,
  action_intent_id TEXT,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, event_id);
CREATE INDEX intents_expiry ON intents (status, expires_at);
)SQL";

// Claims of jobs whose lease expired read an index in lease order (see jobs::Claim).
constexpr std::string_view kV4 = R"SQL(
CREATE INDEX jobs_leases ON jobs (status, lease_expires_at);
)SQL";

// Decision scheduling (SPEC §7): idempotency reservations, evaluations (runs), run state, the
// daily decision budget and usage, per-tenant trigger overrides, opt-in and digest settings,
// ritual schedules; event delivery: webhooks and their deliveries.
constexpr std::string_view kV5 = R"SQL(
CREATE TABLE decision_reservations (
  tenant_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  correlation_id TEXT,
  reserved_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  result TEXT NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX decision_reservations_expiry ON decision_reservations (expires_at);
CREATE TABLE decision_runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  correlation_id TEXT,
  original_key TEXT,
  is_retry BIGINT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT,
  defer_until BIGINT,
  evaluated_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX decision_runs_by_tenant ON decision_runs (tenant_id, run_id);
CREATE INDEX decision_runs_allowed ON decision_runs (tenant_id, account_id, trigger_type, result, evaluated_at);
CREATE TABLE decision_run_state (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  last_allowed_at BIGINT,
  last_evaluated_at BIGINT,
  PRIMARY KEY (tenant_id, account_id, trigger_type)
);
CREATE TABLE decision_accounts (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  pending_retries BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE TABLE decision_budgets (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  max_per_day BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE TABLE decision_usage (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  day TEXT NOT NULL,
  runs BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, day)
);
CREATE TABLE trigger_overrides (
  tenant_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  enabled BIGINT NOT NULL,
  debounce_seconds BIGINT NOT NULL,
  cooldown_seconds BIGINT NOT NULL,
  max_per_hour BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, trigger_type)
);
CREATE TABLE account_opt_in (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  opted_in BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE TABLE digest_settings (
  tenant_id TEXT PRIMARY KEY,
  enabled BIGINT NOT NULL,
  hour BIGINT NOT NULL,
  timezone TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE schedules (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  enabled BIGINT NOT NULL,
  next_fire_at BIGINT,
  last_slot_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, trigger_type)
);
CREATE INDEX schedules_due ON schedules (enabled, next_fire_at);
CREATE TABLE webhooks (
  tenant_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,
  secret TEXT NOT NULL,
  enabled BIGINT NOT NULL,
  cursor_event_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, webhook_id)
);
CREATE TABLE webhook_deliveries (
  delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id BIGINT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  last_status_code BIGINT,
  last_error TEXT,
  next_attempt_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (tenant_id, webhook_id, event_id);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (tenant_id, webhook_id, delivery_id);
)SQL";

// Audit exports (SPEC §9) and the record of daily digests sent (SPEC §8).
constexpr std::string_view kV6 = R"SQL(
CREATE TABLE audit_exports (
  export_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  account_id TEXT,
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL,
  format TEXT NOT NULL,
  status TEXT NOT NULL,
  row_count BIGINT,
  bytes BIGINT,
  sha256 TEXT,
  file_path TEXT,
  error_message TEXT,
  requested_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  completed_at BIGINT,
  file_expires_at BIGINT,
  PRIMARY KEY (tenant_id, export_id)
);
CREATE UNIQUE INDEX audit_exports_by_id ON audit_exports (export_id);
CREATE INDEX audit_exports_by_tenant ON audit_exports (tenant_id, created_at);
CREATE INDEX audit_exports_expiry ON audit_exports (status, file_expires_at);
CREATE TABLE digest_runs (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  day TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, day)
);
)SQL";

// Write-path trims found profiling the gate (docs/BENCHMARKS.md): the expiry sweep reads only
// intents that have an expiry, so intents without one no longer move in intents_expiry when
// their status changes; the claim of expired leases reads only RUNNING jobs, so enqueuing a
// PENDING job no longer writes jobs_leases.
constexpr std::string_view kV7 = R"SQL(
DROP INDEX intents_expiry;
CREATE INDEX intents_expiry ON intents (status, expires_at) WHERE expires_at IS NOT NULL;
DROP INDEX jobs_leases;
CREATE INDEX jobs_leases ON jobs (status, lease_expires_at) WHERE status = 'RUNNING';
)SQL";

// The cost gate counts an account's ALLOW runs of the last hour; most evaluations of a cost gate
// are not ALLOW, and they no longer enter the index.
constexpr std::string_view kV8 = R"SQL(
DROP INDEX decision_runs_allowed;
CREATE INDEX decision_runs_allowed ON decision_runs (tenant_id, account_id, trigger_type, evaluated_at)
  WHERE result = 'ALLOW';
)SQL";

// Most ledger entries that are not about an intent (every COST_GATE_EVALUATED, for one) no longer
// enter the by-intent index; a lookup by intent (action_intent_id = ?) implies NOT NULL.
constexpr std::string_view kV9 = R"SQL(
DROP INDEX ledger_by_intent;
CREATE INDEX ledger_by_intent ON ledger (tenant_id, action_intent_id, seq)
  WHERE action_intent_id IS NOT NULL;
)SQL";

// Configuration versions: `config_versions` holds one version per tenant (scope = tenant_id) and
// one for the platform (scope ''), set by triggers on every write of a configuration table the
// gate reads to a value never used before: a random 64-bit number, so that even a version set by
// a write that later rolled back is never seen again. The gate caches configuration by version
// (autonomy/gate.h, GateConfigCache) and reads only the two versions to know its copy is current.
// Triggers rather than code, so no path that changes configuration can forget it.
constexpr std::string_view kV10 = R"SQL(
CREATE TABLE config_versions (
  scope TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
CREATE TRIGGER platform_settings_version_insert AFTER INSERT ON platform_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES ('', random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER platform_settings_version_update AFTER UPDATE ON platform_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES ('', random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER platform_settings_version_delete AFTER DELETE ON platform_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES ('', random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER kill_switches_version_insert AFTER INSERT ON kill_switches
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER kill_switches_version_update AFTER UPDATE ON kill_switches
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER kill_switches_version_delete AFTER DELETE ON kill_switches
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER policy_settings_version_insert AFTER INSERT ON policy_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER policy_settings_version_update AFTER UPDATE ON policy_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER policy_settings_version_delete AFTER DELETE ON policy_settings
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER autonomy_modes_version_insert AFTER INSERT ON autonomy_modes
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER autonomy_modes_version_update AFTER UPDATE ON autonomy_modes
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER autonomy_modes_version_delete AFTER DELETE ON autonomy_modes
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER allowlists_version_insert AFTER INSERT ON allowlists
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER allowlists_version_update AFTER UPDATE ON allowlists
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER allowlists_version_delete AFTER DELETE ON allowlists
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER budget_configs_version_insert AFTER INSERT ON budget_configs
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER budget_configs_version_update AFTER UPDATE ON budget_configs
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER budget_configs_version_delete AFTER DELETE ON budget_configs
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER action_types_version_insert AFTER INSERT ON action_types
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER action_types_version_update AFTER UPDATE ON action_types
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (NEW.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
CREATE TRIGGER action_types_version_delete AFTER DELETE ON action_types
BEGIN
  INSERT INTO config_versions (scope, version) VALUES (OLD.tenant_id, random())
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
END;
)SQL";

// jobs_by_tenant (tenant_id, status) took an insert and a delete for every job, on the single
// writer, but served one query: a tenant's outstanding webhook deliveries (jobs::PendingCount with
// a type). The backlog of all of a tenant's jobs is job_backlog's (v2). A partial index holds just
// the webhook deliveries (type is among its columns so that SQLite, without statistics, prefers it
// to jobs_dedupe); other typed counts use jobs_dedupe's (tenant_id, type) prefix.
constexpr std::string_view kV11 = R"SQL(
DROP INDEX jobs_by_tenant;
CREATE INDEX jobs_webhook_backlog ON jobs (tenant_id, status, type) WHERE type = 'WEBHOOK_DELIVER';
)SQL";

const std::vector<Migration> kMigrations = {
    {1, "core: configuration, intents, registry, budgets, ledger, jobs", kV1, postgres::kSchemaV1},
    {2, "jobs: per-tenant backlog counter kept by triggers", kV2, postgres::kSchemaV2},
    {3, "execution: attempts, outcomes, internal objects, connectors, breakers, events", kV3,
     postgres::kSchemaV3},
    {4, "jobs: index for claims of expired leases", kV4, postgres::kSchemaV4},
    {5, "decisions, schedules, opt-in, digest settings, webhooks", kV5, postgres::kSchemaV5},
    {6, "audit exports and daily digest runs", kV6, postgres::kSchemaV6},
    {7, "partial indexes for the expiry sweep and expired leases", kV7, postgres::kSchemaV7},
    {8, "partial index of allowed decision runs", kV8, postgres::kSchemaV8},
    {9, "partial index of the ledger by intent", kV9, postgres::kSchemaV9},
    {10, "configuration versions kept by triggers", kV10, postgres::kSchemaV10},
    {11, "jobs: a partial index of webhook deliveries instead of every job by tenant", kV11,
     postgres::kSchemaV11},
};

}  // namespace

const std::vector<Migration>& Migrations() { return kMigrations; }
int LatestSchemaVersion() { return kMigrations.back().version; }

}  // namespace steward::store
