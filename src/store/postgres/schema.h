#pragma once
// The PostgreSQL scripts of the schema migrations (store/migrations.cc lists them beside the
// SQLite ones). Each describes the logical schema of the SQLite script of the same version,
// translated: INTEGER → BIGINT, INTEGER PRIMARY KEY AUTOINCREMENT → an identity column, SQLite
// triggers → plpgsql trigger functions. A script runs as one simple-protocol query inside its
// migration's transaction. Plain text in a header, so migrations.cc needs no libpq.

#include <string_view>

namespace steward::store::postgres {

// Migration 1. Identity columns are GENERATED ALWAYS: no statement supplies ids (one that tried
// would be a bug).
inline constexpr std::string_view kSchemaV1 = R"SQL(
CREATE TABLE platform_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE kill_switches (
  tenant_id TEXT PRIMARY KEY,
  autonomy_enabled BIGINT NOT NULL DEFAULT 1,
  execution_enabled BIGINT NOT NULL DEFAULT 1,
  disabled_action_types TEXT NOT NULL DEFAULT '[]',
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE policy_settings (
  tenant_id TEXT PRIMARY KEY,
  confidence_threshold DOUBLE PRECISION NOT NULL,
  allow_self_approval BIGINT NOT NULL DEFAULT 0,
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
  external_contact BIGINT NOT NULL,
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
  job_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

// Migration 2: the per-tenant active-job counter. The SET clause of ON CONFLICT names the target
// row through an alias: an unqualified column there is ambiguous on PostgreSQL.
inline constexpr std::string_view kSchemaV2 = R"SQL(
CREATE TABLE job_backlog (
  tenant_id TEXT PRIMARY KEY,
  active BIGINT NOT NULL
);
INSERT INTO job_backlog (tenant_id, active)
  SELECT tenant_id, COUNT(*) FROM jobs WHERE status IN ('PENDING', 'RUNNING') GROUP BY tenant_id;
CREATE FUNCTION jobs_backlog_increment() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO job_backlog AS b (tenant_id, active) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET active = b.active + 1;
  RETURN NULL;
END
$fn$;
CREATE FUNCTION jobs_backlog_decrement() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE job_backlog SET active = active - 1 WHERE tenant_id = OLD.tenant_id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER jobs_backlog_insert AFTER INSERT ON jobs FOR EACH ROW
  WHEN (NEW.status IN ('PENDING', 'RUNNING'))
  EXECUTE FUNCTION jobs_backlog_increment();
CREATE TRIGGER jobs_backlog_delete AFTER DELETE ON jobs FOR EACH ROW
  WHEN (OLD.status IN ('PENDING', 'RUNNING'))
  EXECUTE FUNCTION jobs_backlog_decrement();
CREATE TRIGGER jobs_backlog_leave AFTER UPDATE OF status ON jobs FOR EACH ROW
  WHEN (OLD.status IN ('PENDING', 'RUNNING') AND NEW.status NOT IN ('PENDING', 'RUNNING'))
  EXECUTE FUNCTION jobs_backlog_decrement();
CREATE TRIGGER jobs_backlog_enter AFTER UPDATE OF status ON jobs FOR EACH ROW
  WHEN (OLD.status NOT IN ('PENDING', 'RUNNING') AND NEW.status IN ('PENDING', 'RUNNING'))
  EXECUTE FUNCTION jobs_backlog_increment();
)SQL";

// Migration 3. events.event_id is assigned differently from SQLite, on purpose. Readers (the event
// feed, webhook cursors) page with `event_id > cursor`, which is safe only when ids become
// visible in id order. SQLite's single writer gives that for free; on PostgreSQL a sequence value
// is drawn at INSERT while transactions commit in any order, so a reader could pass id 11 before
// id 10 commits and never see 10. The BEFORE INSERT trigger therefore takes a transaction-scoped
// advisory lock per tenant (class 1398031697, an arbitrary constant reserved for this lock; key
// hashtext(tenant_id)) before drawing the id, so the event-emitting transactions of one tenant
// draw ids in their commit order.
inline constexpr std::string_view kSchemaV3 = R"SQL(
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
  event_id BIGINT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  account_id TEXT,
  action_intent_id TEXT,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, event_id);
CREATE SEQUENCE events_event_id_seq AS BIGINT OWNED BY events.event_id;
CREATE FUNCTION events_assign_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(1398031697, hashtext(NEW.tenant_id));
  NEW.event_id := nextval('events_event_id_seq');
  RETURN NEW;
END
$fn$;
CREATE TRIGGER events_assign_id BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_assign_id();
CREATE INDEX intents_expiry ON intents (status, expires_at);
)SQL";

inline constexpr std::string_view kSchemaV4 = R"SQL(
CREATE INDEX jobs_leases ON jobs (status, lease_expires_at);
)SQL";

inline constexpr std::string_view kSchemaV5 = R"SQL(
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
  run_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  delivery_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

inline constexpr std::string_view kSchemaV6 = R"SQL(
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

inline constexpr std::string_view kSchemaV7 = R"SQL(
DROP INDEX intents_expiry;
CREATE INDEX intents_expiry ON intents (status, expires_at) WHERE expires_at IS NOT NULL;
DROP INDEX jobs_leases;
CREATE INDEX jobs_leases ON jobs (status, lease_expires_at) WHERE status = 'RUNNING';
)SQL";

inline constexpr std::string_view kSchemaV8 = R"SQL(
DROP INDEX decision_runs_allowed;
CREATE INDEX decision_runs_allowed ON decision_runs (tenant_id, account_id, trigger_type, evaluated_at)
  WHERE result = 'ALLOW';
)SQL";

inline constexpr std::string_view kSchemaV9 = R"SQL(
DROP INDEX ledger_by_intent;
CREATE INDEX ledger_by_intent ON ledger (tenant_id, action_intent_id, seq)
  WHERE action_intent_id IS NOT NULL;
)SQL";

// Migration 10: as SQLite's, with one trigger function for every configuration table (the
// platform's settings count for scope ''). Versions come from a sequence: nextval is never rolled
// back, so a value is never used twice.
inline constexpr std::string_view kSchemaV10 = R"SQL(
CREATE TABLE config_versions (
  scope TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
CREATE SEQUENCE config_versions_seq;
CREATE FUNCTION config_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  s TEXT;
BEGIN
  IF TG_TABLE_NAME = 'platform_settings' THEN
    s := '';
  ELSIF TG_OP = 'DELETE' THEN
    s := OLD.tenant_id;
  ELSE
    s := NEW.tenant_id;
  END IF;
  INSERT INTO config_versions (scope, version) VALUES (s, nextval('config_versions_seq'))
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER platform_settings_version AFTER INSERT OR UPDATE OR DELETE ON platform_settings
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER kill_switches_version AFTER INSERT OR UPDATE OR DELETE ON kill_switches
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER policy_settings_version AFTER INSERT OR UPDATE OR DELETE ON policy_settings
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER autonomy_modes_version AFTER INSERT OR UPDATE OR DELETE ON autonomy_modes
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER allowlists_version AFTER INSERT OR UPDATE OR DELETE ON allowlists
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER budget_configs_version AFTER INSERT OR UPDATE OR DELETE ON budget_configs
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
CREATE TRIGGER action_types_version AFTER INSERT OR UPDATE OR DELETE ON action_types
  FOR EACH ROW EXECUTE FUNCTION config_versions_bump();
)SQL";

// Migration 11: as SQLite's.
inline constexpr std::string_view kSchemaV11 = R"SQL(
DROP INDEX jobs_by_tenant;
CREATE INDEX jobs_webhook_backlog ON jobs (tenant_id, status, type) WHERE type = 'WEBHOOK_DELIVER';
)SQL";

}  // namespace steward::store::postgres
