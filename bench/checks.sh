#!/usr/bin/env bash
# What the column rules of the tables a callback or notice batch writes cost per statement
# (docs/callbacks.md §6, "Tenth round: constraints prepared once"). PostgreSQL 15 builds a table's
# CHECK constraints from their stored text for every statement that inserts or updates it; a
# domain's constraints are built once per session. For each table, copies of it side by side in the
# same cluster, without indexes, foreign keys or triggers so that only the rules differ:
#   before — the table as the migrations before 0027 leave it (its CHECK constraints),
#   after  — the table as 0027 leaves it (domains, and the CHECKs comparing two columns),
#   varchar — as after, but each pure length bound of a text column declared varchar(n) instead,
#   none   — no rule at all (the floor).
# Each statement inserts a batch-sized set of rows (ROWS, default 4) from a scratch table, in a
# PL/pgSQL loop (a cached plan, as the server's prepared statements): µs per statement, the
# fastest of ROUNDS rounds (the least disturbed on a shared machine) and the median.
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-9}"
STATEMENTS="${STATEMENTS:-1000}"
ROWS="${ROWS:-4}"
# The schema before 0027: a project root holding only the earlier migrations.
BEFORE_ROOT=$(mktemp -d /tmp/tuition-checks.XXXXXX)
trap 'rm -rf "$BEFORE_ROOT"; bench_cleanup' EXIT
mkdir "$BEFORE_ROOT/migrations"
ln -s "$ROOT/bank-formats" "$BEFORE_ROOT/bank-formats"
for file in "$ROOT"/migrations/*.sql; do
    if [[ "$(basename "$file")" < 0027 ]]; then cp "$file" "$BEFORE_ROOT/migrations/"; fi
done
TABLES="bank_transactions callback_deliveries journal_entries postings receipts payment_applications collection_payments billing_counters dimension_balances account_balances"
# copies SCHEMA WITH_RULES: a copy of each table in SCHEMA (NOT NULL and defaults kept everywhere).
copies() {
    local table including
    including="INCLUDING DEFAULTS"; [ "$2" = yes ] && including="INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
    psql -q -c "CREATE SCHEMA $1"
    for table in $TABLES; do psql -q -c "CREATE TABLE $1.$table (LIKE public.$table $including)"; done
}
TUITION_ROOT="$BEFORE_ROOT" "$BIN" migrate >/dev/null
copies checks_before yes
copies checks_none no
TUITION_ROOT="$ROOT" "$BIN" migrate >/dev/null
copies checks_after yes
# varchar(n) — 0027's copies with each pure length bound of a text column (a domain whose one rule is
# length(VALUE) <= n) declared as varchar(n) instead: the type's own length check, no rule to prepare.
copies checks_varchar yes
psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
DECLARE col record;
BEGIN
    FOR col IN
        SELECT a.attrelid::regclass AS target, a.attname, (regexp_match(pg_get_constraintdef(c.oid), '^CHECK \(\(length\(VALUE\) <= (\d+)\)\)$'))[1] AS n
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_constraint c ON c.contypid = t.oid
        WHERE a.attrelid::regclass::text LIKE 'checks_varchar.%' AND a.attnum > 0 AND t.typbasetype = 'text'::regtype
          AND (SELECT count(*) FROM pg_constraint o WHERE o.contypid = t.oid) = 1
    LOOP
        CONTINUE WHEN col.n IS NULL;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE varchar(%s)', col.target, col.attname, col.n);
    END LOOP;
END $$;
SQL

# The rows each statement inserts: values of a paid callback's rows (lengths as the load's), valid
# under every rule, in the columns' base types as the server sends them.
psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA checks_src;
CREATE FUNCTION checks_src.fill(target regclass, fields jsonb) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE columns text := (SELECT string_agg(quote_ident(k), ', ') FROM jsonb_object_keys(fields) k);
BEGIN
    EXECUTE format('CREATE TABLE checks_src.%s (LIKE checks_none.%s INCLUDING DEFAULTS)', target, target);
    -- Only the columns given; the others take their defaults.
    EXECUTE format('INSERT INTO checks_src.%s (%s) SELECT %s FROM jsonb_populate_record(NULL::checks_src.%s, \$1), generate_series(1, $ROWS)',
                   target, columns, columns, target) USING fields;
END \$\$;
SELECT checks_src.fill('bank_transactions', '{"school_id": 1, "bank_transaction_id": 1, "bank_account_id": 1, "origin": "callback",
    "provider": "tuition", "provider_transaction_id": "FT26091512345678", "direction": "in", "amount": 1250000, "booked_on": "2026-09-15",
    "memo": "HP V2MSHS0001 NGUYEN VAN AN LOP 3A", "normalized_memo": "hp v2mshs0001 nguyen van an lop 3a", "payer_name": "NGUYEN VAN BINH",
    "payer_account": "0123456789", "payer_bank": "VCB", "virtual_account": "V2MSHS0001", "status": "provisional",
    "match_decision": {"rule": "payment_code", "confidence": "certain"}}');
SELECT checks_src.fill('callback_deliveries', '{"delivery_id": 1, "provider": "tuition", "request_id": "req-000123", "method": "POST",
    "query": "", "body": "\\\\x7b227472616e73616374696f6e5f6964223a22465432363039227d", "body_bytes": 300,
    "body_sha256": "\\\\x$(printf '%064d' 0)", "reason": "", "verdict": "accepted", "headers": {"content-type": "application/json"}}');
SELECT checks_src.fill('journal_entries', '{"school_id": 1, "entry_id": 1, "kind": "payment_received", "effective_date": "2026-09-15",
    "description": "Bank transaction FT26091512345678: HP V2MSHS0001", "idempotency_key": "bank-transaction:1:booking",
    "request_hash": "\\\\x$(printf '%064d' 0)", "posting_count": 2}');
SELECT checks_src.fill('postings', '{"school_id": 1, "entry_id": 1, "line": 1, "account_id": 1, "amount": 1250000, "effective_date": "2026-09-15"}');
SELECT checks_src.fill('receipts', '{"school_id": 1, "receipt_id": 1, "school_year": 2026, "number": 17, "method": "bank",
    "amount": 1250000, "payer_name": "NGUYEN VAN BINH", "student_id": 1, "received_on": "2026-09-15", "payment_key": "bank-transaction:1", "recorded_by": "matcher",
    "bank_transaction_id": 1}');
SELECT checks_src.fill('payment_applications', '{"school_id": 1, "application_id": 1, "payment_key": "bank-transaction:1", "ordinal": 1,
    "source": "bank_transaction", "bank_transaction_id": 1, "receipt_id": 1, "invoice_id": 1, "student_id": 1, "entry_id": 1, "amount": 1250000, "rule": "payment_code",
    "explanation": "payment code V2MSHS0001 in the memo"}');
SELECT checks_src.fill('collection_payments', '{"school_id": 1, "payment_id": 1, "connection_id": 1, "provider": "bidv",
    "bank_reference": "BIDV2609150001", "business_date": "2026-09-15", "paid_at": "2026-09-15T10:21:07+07:00", "amount": 1250000,
    "customer_code": "V2MSHS0001", "bank_transaction_id": 1, "student_id": 1, "applied": 1250000, "credited": 0, "source": "notice"}');
SELECT checks_src.fill('billing_counters', '{"school_id": 1, "counter": "receipt_number", "school_year": 2026, "last_value": 17}');
SELECT checks_src.fill('dimension_balances', '{"school_id": 1, "account_id": 1, "dimension": "student", "dimension_id": 1, "balance": 1250000, "posting_count": 1}');
SELECT checks_src.fill('account_balances', '{"school_id": 1, "account_id": 1, "shard": 3, "balance": 1250000, "posting_count": 1}');

-- One timer per copy: STATEMENTS inserts of the scratch rows, µs per statement.
CREATE FUNCTION checks_src.timer(variant text, target text) RETURNS void LANGUAGE plpgsql AS \$timer\$
BEGIN
    EXECUTE format(\$f\$CREATE FUNCTION checks_src.%I(n int) RETURNS numeric LANGUAGE plpgsql AS \$g\$
        DECLARE started timestamptz := clock_timestamp();
        BEGIN
            FOR i IN 1..n LOOP INSERT INTO %I.%I SELECT * FROM checks_src.%I; END LOOP;
            RETURN extract(epoch FROM clock_timestamp() - started) * 1e6 / n;
        END \$g\$\$f\$, 'time_' || variant || '_' || target, 'checks_' || variant, target, target);
END \$timer\$;
SELECT checks_src.timer(v, t) FROM unnest(ARRAY['before', 'after', 'varchar', 'none']) v, unnest(string_to_array('$TABLES', ' ')) t;
CREATE TABLE checks_src.results (variant text, target text, round int, us numeric);
SQL
for round in $(seq "$ROUNDS"); do
    for table in $TABLES; do
        for variant in before after varchar none; do
            # Each round rolled back: every round starts from empty copies.
            us=$(psql -qAt -v ON_ERROR_STOP=1 -c "BEGIN" -c "SELECT checks_src.time_${variant}_${table}($STATEMENTS)" -c "ROLLBACK")
            psql -q -c "INSERT INTO checks_src.results VALUES ('$variant', '$table', $round, $us)"
        done
    done
done
echo "bench/checks.sh: $ROWS-row INSERT per statement, $STATEMENTS statements x $ROUNDS rounds per copy; µs per statement, fastest (median)"
psql -P pager=off -v ON_ERROR_STOP=1 <<SQL
WITH rules AS (
    SELECT t AS target,
           (SELECT count(*) FROM pg_constraint c WHERE c.contype = 'c' AND c.conrelid = ('checks_before.' || t)::regclass) AS checks_before,
           (SELECT count(*) FROM pg_constraint c WHERE c.contype = 'c' AND c.conrelid = ('checks_after.' || t)::regclass) AS checks_after,
           (SELECT count(*) FROM pg_attribute a JOIN pg_constraint c ON c.contypid = a.atttypid
            WHERE a.attrelid = ('checks_after.' || t)::regclass AND a.attnum > 0) AS domain_rules_after,
           (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = ('checks_varchar.' || t)::regclass AND a.atttypid = 'varchar'::regtype) AS varchars
    FROM unnest(string_to_array('$TABLES', ' ')) t
), figures AS (
    SELECT target, variant, min(us) AS fastest, percentile_cont(0.5) WITHIN GROUP (ORDER BY us) AS median
    FROM checks_src.results GROUP BY 1, 2
)
SELECT r.target AS "table", r.checks_before AS "CHECKs today", r.checks_after || ' + ' || r.domain_rules_after AS "0027: CHECKs + domain rules",
       round(b.fastest, 1) || ' (' || round(b.median::numeric, 1) || ')' AS "today µs",
       round(a.fastest, 1) || ' (' || round(a.median::numeric, 1) || ')' AS "0027 µs",
       round(v.fastest, 1) || ' (' || round(v.median::numeric, 1) || ')' || ' [' || r.varchars || ']' AS "0027, [n] varchar(n) µs",
       round(n.fastest, 1) || ' (' || round(n.median::numeric, 1) || ')' AS "no rule µs",
       round(b.fastest - a.fastest, 1) AS "saved µs"
FROM rules r
JOIN figures b ON b.target = r.target AND b.variant = 'before'
JOIN figures a ON a.target = r.target AND a.variant = 'after'
JOIN figures v ON v.target = r.target AND v.variant = 'varchar'
JOIN figures n ON n.target = r.target AND n.variant = 'none'
ORDER BY array_position(string_to_array('$TABLES', ' '), r.target);
SQL
