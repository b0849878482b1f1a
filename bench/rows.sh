#!/usr/bin/env bash
# What the rows of a callback batch cost the database, statement by statement (docs/callbacks.md §6,
# "Eleventh round: the database's rows"): the CPU of one backend (its /proc/self/schedstat, so the
# other processes of a shared machine do not count) per statement of
#   bank_transactions — a 4-row insert as IncomingBatch's (ON CONFLICT on the provider's id, a
#                       ~600-byte match decision, a bank account and an entry referenced), and
#                       before 0028 (jsonb, two foreign keys);
#   entries           — one entry with two postings in one statement, as LedgerWriter's (the entries
#                       and postings triggers, the balance upserts),
#   references        — a 4-row insert whose rows each name five rows of five tables (a payment
#                       application's student, family, invoice, receipt and entry), on tables of the
#                       bench's own: five foreign keys, or one statement trigger probing each primary key
#                       (as 0031 checks), or nothing checked (the floor),
# on the real tables of a bench cluster (0028 applied), each variant's DDL made and rolled back in
# the transaction that times it. STATEMENTS statements per round, ROUNDS rounds: µs per statement,
# fastest and median. In one transaction a referenced row is locked once, so a foreign key's row
# lock (a WAL record per batch in the server) is counted once per round, not per statement.
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-5}"
STATEMENTS="${STATEMENTS:-1000}"
"$BIN" migrate >/dev/null
# The setup also writes a load file, unused here: kept in the bench's home.
LOAD_FILE="$BENCH_HOME/rows-load.lua"
"$BIN" bench callbacks-setup --students 200 --requests 10 --out "$LOAD_FILE" >/dev/null
psql -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA rows;
CREATE SEQUENCE rows.ids START 1000000;
CREATE TABLE rows.results (target text, variant text, round int, us numeric);
-- A decision of the load's size (~600 bytes).
CREATE FUNCTION rows.decision() RETURNS text LANGUAGE sql IMMUTABLE AS $d$
SELECT '{"outcome":"suspense","rule":"no_candidate","confidence":"none","reasons":["no payment code in the memo","no student name matched above the threshold","amount matches 3 open invoices of different students"],"candidates":[{"invoice_id":1234,"student_id":567,"score":0.41,"why":"amount equal, name partial"},{"invoice_id":1240,"student_id":568,"score":0.38,"why":"amount equal"},{"invoice_id":1302,"student_id":601,"score":0.12,"why":"class code in memo"}],"memo_tokens":["hp","nguyen","van","an","lop","3a"],"version":3,"explanation":"booked to suspense: no single candidate is certain"}'
$d$;
CREATE FUNCTION rows.school() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT min(school_id) FROM bank_accounts $$;
-- bank_transactions: n statements of 4 rows; the decision cast to `kind` (json or jsonb); with or
-- without ON CONFLICT.
CREATE FUNCTION rows.define_bt(name text, kind text, on_conflict boolean) RETURNS void LANGUAGE plpgsql AS $define$
BEGIN
    EXECUTE format($f$CREATE FUNCTION rows.%I(n int) RETURNS void LANGUAGE plpgsql AS $g$
    DECLARE s bigint := rows.school();
            a bigint := (SELECT min(bank_account_id) FROM bank_accounts WHERE school_id = s);
            e bigint := (SELECT min(entry_id) FROM journal_entries WHERE school_id = s);
            dec text := rows.decision();
    BEGIN
        FOR i IN 1..n LOOP
            INSERT INTO bank_transactions (school_id, bank_transaction_id, bank_account_id, origin, provider, provider_transaction_id,
                direction, amount, booked_on, occurred_at, memo, normalized_memo, payer_name, payer_account, payer_bank,
                status, entry_id, match_decision)
            OVERRIDING SYSTEM VALUE
            SELECT s, nextval('rows.ids'), a, 'callback', 'tuition', 'FT' || currval('rows.ids'), 'in', 1250000, '2026-09-15'::date, now(),
                   'HP V2MSHS0001 NGUYEN VAN AN LOP 3A', 'hp v2mshs0001 nguyen van an lop 3a', 'NGUYEN VAN BINH', '0123456789', 'VCB',
                   'provisional', e, dec::%s
            FROM generate_series(1, 4) %s;
        END LOOP;
    END $g$$f$, name, kind,
    CASE WHEN on_conflict THEN 'ON CONFLICT (school_id, provider, provider_transaction_id) WHERE provider IS NOT NULL DO NOTHING' ELSE '' END);
END $define$;
SELECT rows.define_bt('bt_json', 'json', true), rows.define_bt('bt_jsonb', 'jsonb', true), rows.define_bt('bt_plain', 'json', false);
-- entries: n statements of `per` entries, each with its two postings (bank +, suspense -, with a bank
-- transaction's dimension), as LedgerWriter's: one per statement, or four (a batch's shape).
CREATE FUNCTION rows.entries(n int, per int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE s bigint := rows.school();
        bank bigint := (SELECT account_id FROM bank_accounts WHERE school_id = s ORDER BY bank_account_id LIMIT 1);
        suspense bigint := (SELECT account_id FROM accounts WHERE school_id = s AND purpose = 'suspense' LIMIT 1);
BEGIN
    FOR i IN 1..n LOOP
        WITH e AS (
            INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count,
                                         bank_transaction_id)
            SELECT s, '2026-09-15', 'adjustment', 'Bank transaction FT26091512345678: HP V2MSHS0001', 'rows:' || t, decode(repeat('ab', 32), 'hex'), 2, t
            FROM (SELECT nextval('rows.ids') AS t FROM generate_series(1, per)) AS k
            RETURNING entry_id, effective_date, bank_transaction_id)
        INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date, bank_transaction_id)
        SELECT s, e.entry_id, v.line, v.account, v.amount, e.effective_date, e.bank_transaction_id
        FROM e, (VALUES (1, bank, 1250000::bigint), (2, suspense, -1250000::bigint)) AS v(line, account, amount);
    END LOOP;
END $$;
CREATE FUNCTION rows.entries1(n int) RETURNS void LANGUAGE sql AS $$ SELECT rows.entries(n, 1) $$;
-- references: five parent tables of 10,000 rows and a child naming one row of each per column; each
-- statement names four rows of each parent that no earlier statement of the round named (a row lock
-- per reference, as a batch's new receipts and entries).
CREATE TABLE rows.parent1 (s bigint, id bigint, PRIMARY KEY (s, id));
CREATE TABLE rows.parent2 (LIKE rows.parent1 INCLUDING ALL);
CREATE TABLE rows.parent3 (LIKE rows.parent1 INCLUDING ALL);
CREATE TABLE rows.parent4 (LIKE rows.parent1 INCLUDING ALL);
CREATE TABLE rows.parent5 (LIKE rows.parent1 INCLUDING ALL);
INSERT INTO rows.parent1 SELECT 1, g FROM generate_series(1, 10000) g;
INSERT INTO rows.parent2 SELECT * FROM rows.parent1;
INSERT INTO rows.parent3 SELECT * FROM rows.parent1;
INSERT INTO rows.parent4 SELECT * FROM rows.parent1;
INSERT INTO rows.parent5 SELECT * FROM rows.parent1;
ANALYZE rows.parent1, rows.parent2, rows.parent3, rows.parent4, rows.parent5;
CREATE TABLE rows.child (s bigint, id bigint GENERATED ALWAYS AS IDENTITY, a bigint, b bigint, c bigint, d bigint, e bigint,
                         PRIMARY KEY (s, id));
CREATE FUNCTION rows.child_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM written n
               WHERE NOT EXISTS (SELECT 1 FROM rows.parent1 x WHERE x.s = n.s AND x.id = n.a)
                  OR NOT EXISTS (SELECT 1 FROM rows.parent2 x WHERE x.s = n.s AND x.id = n.b)
                  OR NOT EXISTS (SELECT 1 FROM rows.parent3 x WHERE x.s = n.s AND x.id = n.c)
                  OR NOT EXISTS (SELECT 1 FROM rows.parent4 x WHERE x.s = n.s AND x.id = n.d)
                  OR NOT EXISTS (SELECT 1 FROM rows.parent5 x WHERE x.s = n.s AND x.id = n.e)) THEN
        RAISE EXCEPTION 'a reference is missing' USING ERRCODE = '23503';
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION rows.references(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 0..n - 1 LOOP
        INSERT INTO rows.child (s, a, b, c, d, e)
        SELECT 1, k, k, k, k, k FROM (SELECT (4 * i) % 10000 + g AS k FROM generate_series(1, 4) g) AS r;
    END LOOP;
END $$;
CREATE FUNCTION rows.entries4(n int) RETURNS void LANGUAGE sql AS $$ SELECT rows.entries(n, 4) $$;
SQL

# variant TARGET NAME FUNCTION DDL: one round of STATEMENTS statements, the backend's CPU per statement.
variant() {
    local us
    us=$(psql -qAt -v ON_ERROR_STOP=1 -c "BEGIN" ${4:+-c "$4"} \
        -c "CREATE TEMP TABLE started AS SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint AS ns" \
        -c "SELECT rows.$3($STATEMENTS)" \
        -c "SELECT round((split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint - ns) / 1000.0 / $STATEMENTS, 1) FROM started" \
        -c "ROLLBACK" | tail -1)
    psql -qc "INSERT INTO rows.results VALUES ('$1', '$2', $round, $us)"
}
BT=bank_transactions
# The references of a bank transaction as before 0028: two foreign keys instead of the statement triggers.
NO_REF_TRIGGERS="DROP TRIGGER bank_transactions_inserted_references ON $BT; DROP TRIGGER bank_transactions_updated_references ON $BT"
FKS="ALTER TABLE $BT ADD FOREIGN KEY (school_id, bank_account_id) REFERENCES bank_accounts, ADD FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries"
for round in $(seq "$ROUNDS"); do
    variant $BT "0028 (json decision, references checked per statement)" bt_json ""
    variant $BT "before 0028 (jsonb decision, two foreign keys)" bt_jsonb "ALTER TABLE $BT ALTER COLUMN match_decision TYPE jsonb USING match_decision::jsonb; $NO_REF_TRIGGERS; $FKS"
    variant $BT "json decision, two foreign keys" bt_json "$NO_REF_TRIGGERS; $FKS"
    variant $BT "json decision, no reference checked (the floor)" bt_json "$NO_REF_TRIGGERS"
    variant $BT "plain insert (no ON CONFLICT)" bt_plain ""
    variant $BT "no index by_date" bt_json "DROP INDEX bank_transactions_by_date"
    variant $BT "no index provisional" bt_json "DROP INDEX bank_transactions_provisional"
    variant $BT "no index statement_probe" bt_json "DROP INDEX bank_transactions_statement_probe"
    variant references "five foreign keys" references "ALTER TABLE rows.child ADD FOREIGN KEY (s, a) REFERENCES rows.parent1,
        ADD FOREIGN KEY (s, b) REFERENCES rows.parent2, ADD FOREIGN KEY (s, c) REFERENCES rows.parent3,
        ADD FOREIGN KEY (s, d) REFERENCES rows.parent4, ADD FOREIGN KEY (s, e) REFERENCES rows.parent5"
    variant references "one statement trigger, as 0031 checks" references "CREATE TRIGGER child_references AFTER INSERT ON rows.child
        REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION rows.child_references()"
    variant references "nothing checked (the floor)" references ""
    variant entries "0028 (school checked by the trigger)" entries1 ""
    variant entries "FK to schools (before 0028)" entries1 "ALTER TABLE journal_entries ADD CONSTRAINT rows_school_fkey FOREIGN KEY (school_id) REFERENCES schools"
    variant "entries, 4 per statement" "0028" entries4 ""
    variant "entries, 4 per statement" "without the entries trigger" entries4 "ALTER TABLE journal_entries DISABLE TRIGGER entries_inserted"
    variant "entries, 4 per statement" "without the postings trigger (no balances)" entries4 "ALTER TABLE postings DISABLE TRIGGER postings_inserted"
    variant "entries, 4 per statement" "without either trigger" entries4 "ALTER TABLE journal_entries DISABLE TRIGGER entries_inserted; ALTER TABLE postings DISABLE TRIGGER postings_inserted"
done
echo "bench/rows.sh: backend CPU µs per statement, $STATEMENTS statements x $ROUNDS rounds (fastest, median)"
psql -P pager=off -c "
    SELECT target, variant, round(min(us), 1) AS fastest, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY us)::numeric, 1) AS median
    FROM rows.results GROUP BY 1, 2 ORDER BY 1, 3 DESC"
