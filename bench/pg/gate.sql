-- The pgbench peer of one gate decision on the AUTO_EXECUTED path: the statements Steward's
-- PostgreSQL backend sends for AutonomyService::Gate, in order, as logged with
-- log_statement=all (bench/pg/run.sh re-checks the count against the log at every run), with the
-- same isolation level (run.sh also runs it under READ COMMITTED) and the same parameters.
-- Variables (pgbench -D): n (peer intents p0 … p(n-1), created by run.sh), tenants, day
-- (YYYY-MM-DD, UTC), and the JSON texts of gate.vars (passed as parameters, as Steward does; a
-- JSON literal here would not survive pgbench's :variable substitution). Run with -M prepared
-- and --max-tries=0 so serialization failures are re-run, as the store re-runs its closures.
-- What this leaves out is the client's own work: JSON building and parsing, the two SHA-256
-- hashes of the ledger chain, the policy evaluation.
\set i random(0, :n - 1)
\set t :i % :tenants
\set a (:i / :tenants) % 16
\set r random(1, 1000000000000)
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT tenant_id, action_intent_id, account_id, action_type, parameters, target, parameters_schema_version, confidence_score, risk_level, expires_at, execution_policy, registry_version, original_decision_id, trace_id, content_hash, status, gate, approval, created_at, created_by, updated_at FROM intents WHERE tenant_id = 'bench-t' || :t::text AND action_intent_id = 'p' || :i::text;
SELECT value, updated_at, updated_by FROM platform_settings WHERE key = 'emergency_stop';
SELECT autonomy_enabled, execution_enabled, disabled_action_types, updated_at, updated_by FROM kill_switches WHERE tenant_id = 'bench-t' || :t::text;
SELECT account_id, action_types FROM allowlists WHERE tenant_id = 'bench-t' || :t::text AND account_id IN ('acct-' || :a::text, '*');
SELECT account_id, action_type, mode FROM autonomy_modes WHERE tenant_id = 'bench-t' || :t::text AND account_id IN ('acct-' || :a::text, '*') AND action_type IN ('CREATE_INTERNAL_TASK', 'DEFAULT');
SELECT confidence_threshold, allow_self_approval, max_pending_jobs, updated_at, updated_by FROM policy_settings WHERE tenant_id = 'bench-t' || :t::text;
SELECT max_autonomous_per_day, max_per_action_type, timezone, updated_at, updated_by FROM budget_configs WHERE tenant_id = 'bench-t' || :t::text AND account_id = 'acct-' || :a::text;
SELECT action_type, used FROM budget_usage WHERE tenant_id = 'bench-t' || :t::text AND account_id = 'acct-' || :a::text AND day = :day AND action_type IN ('*', 'CREATE_INTERNAL_TASK');
INSERT INTO budget_usage (tenant_id, account_id, day, action_type, used) VALUES ('bench-t' || :t::text, 'acct-' || :a::text, :day, '*', 1), ('bench-t' || :t::text, 'acct-' || :a::text, :day, 'CREATE_INTERNAL_TASK', 1) ON CONFLICT (tenant_id, account_id, day, action_type) DO UPDATE SET used = budget_usage.used + 1;
UPDATE intents SET status = 'APPROVED', gate = :gate_json, approval = :approval_json, parameters = :params_json, updated_at = 1795769236954 WHERE tenant_id = 'bench-t' || :t::text AND action_intent_id = 'p' || :i::text;
SELECT seq AS head_seq, hash AS head_hash FROM ledger_heads WHERE tenant_id = 'bench-t' || :t::text FOR UPDATE \gset
\set s1 :head_seq + 1
\set s2 :head_seq + 2
INSERT INTO ledger (tenant_id, seq, entry_id, ts, event_type, account_id, trace_id, action_intent_id, actor, data, prev_hash, hash) VALUES ('bench-t' || :t::text, :s1, 'le_p' || :client_id::text || '_' || :r::text || 'a', 1795769236954, 'POLICY_EVALUATED', 'acct-' || :a::text, NULL, 'p' || :i::text, 'agent', :evaluated_json, :head_hash, 'ab8584efd9e5a7ac48d0b9a320ff34379a0e8b53d0ed145cb0a7d39b96f62b92');
INSERT INTO ledger (tenant_id, seq, entry_id, ts, event_type, account_id, trace_id, action_intent_id, actor, data, prev_hash, hash) VALUES ('bench-t' || :t::text, :s2, 'le_p' || :client_id::text || '_' || :r::text || 'b', 1795769236954, 'ACTION_APPROVED', 'acct-' || :a::text, NULL, 'p' || :i::text, 'agent', :approved_json, 'ab8584efd9e5a7ac48d0b9a320ff34379a0e8b53d0ed145cb0a7d39b96f62b92', '5ccd390b4b1d18bea1e9b3ec688efde76f2e5e4dd542febfaa404ab93c2c9866');
INSERT INTO ledger_heads (tenant_id, seq, hash) VALUES ('bench-t' || :t::text, :s2, '5ccd390b4b1d18bea1e9b3ec688efde76f2e5e4dd542febfaa404ab93c2c9866') ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
INSERT INTO jobs (tenant_id, type, payload, dedupe_key, status, run_at, attempts, created_at, updated_at) VALUES ('bench-t' || :t::text, 'EXECUTE_INTENT', '{"account_id":"acct-' || :a::text || '","action_intent_id":"p' || :i::text || '","execution":' || '1}', 'p' || :client_id::text || '_' || :r::text || '#1', 'PENDING', 1795769236954, 0, 1795769236954, 1795769236954) ON CONFLICT (tenant_id, type, dedupe_key) DO NOTHING RETURNING job_id;
COMMIT;
