-- What a ledger entry costs the database, cut without giving up an invariant (docs/ledger.md,
-- "Where an entry's time goes"). Every rule of 0001 and 0010 still holds and is still enforced by
-- PostgreSQL; what changes is how often and where it is checked.
--
--   * An entry balances, and has exactly its declared postings, checked once per statement when it
--     is inserted (from the postings its statement inserted alongside it) instead of by a deferred
--     per-row trigger that re-read the postings at commit. Postings can no longer be added to an
--     entry later in the transaction: a posting's line must lie within its entry's declared count,
--     and those lines are all taken once the entry is checked, so nothing can be added afterwards.
--     An entry and its postings therefore go in one statement (LedgerWriter always did so).
--   * The balance guard's refusal is decided by the trigger's WHEN clause (a plain expression the
--     executor evaluates) instead of calling a PL/pgSQL function for every balance row the postings
--     trigger writes (twice per upserted row: BEFORE INSERT, then BEFORE UPDATE on conflict). A
--     session's own write to a balance is still refused, by the same function.
--   * The checks look rows up by key, one probe per new row, whatever the planner's statistics say:
--     a hash join over every account of the province, planned while the table was small, would cost
--     more with each school added.
--   * The two balance upserts run as one statement (one plan, one executor start-up, same key order).

DROP TRIGGER entry_balanced ON journal_entries;
DROP FUNCTION ledger_check_entry_balanced();

-- New entries, once per statement: stamped with this transaction, not dated in a closed period
-- (under the school's period lock, shared here, taken exclusively by ledger_change_period), and
-- balanced with exactly their declared postings, which are inserted by the same statement.
CREATE OR REPLACE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wrong record;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7001, (school_id % 2147483647)::integer)
        FROM (SELECT DISTINCT school_id FROM new_entries ORDER BY school_id) AS s;
    SELECT e.entry_id, e.effective_date, e.created_xact, e.posting_count, e.closed_through, t.total, t.counted INTO wrong
        FROM (SELECT n.*, (SELECT s.closed_through FROM schools s WHERE s.school_id = n.school_id) AS closed_through
              FROM new_entries n) AS e
        CROSS JOIN LATERAL (SELECT coalesce(sum(p.amount), 0) AS total, count(*) AS counted FROM postings p
                            WHERE p.school_id = e.school_id AND p.entry_id = e.entry_id) AS t
        WHERE e.created_xact <> pg_current_xact_id() OR e.effective_date <= e.closed_through
           OR t.total <> 0 OR t.counted <> e.posting_count
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF wrong.created_xact <> pg_current_xact_id() THEN
        RAISE EXCEPTION 'entries must be stamped with the transaction creating them' USING ERRCODE = 'TU004';
    ELSIF wrong.effective_date <= wrong.closed_through THEN
        RAISE EXCEPTION 'entry dated % falls in a closed period (closed through %)', wrong.effective_date, wrong.closed_through
            USING ERRCODE = 'TU001';
    ELSIF wrong.total <> 0 THEN
        RAISE EXCEPTION 'entry % does not balance: postings sum to %', wrong.entry_id, wrong.total USING ERRCODE = 'TU002';
    END IF;
    RAISE EXCEPTION 'entry % declares % postings but its statement inserted %', wrong.entry_id, wrong.posting_count, wrong.counted
        USING ERRCODE = 'TU002';
END $$;

-- New postings, once per statement: each of an entry created by this transaction in its school,
-- within its entry's declared lines, dated as its entry, on an account of its school; then the
-- balances follow, aggregated and in key order (a fixed lock order), into this transaction's shard.
CREATE OR REPLACE FUNCTION ledger_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wrong record;
    writer_shard integer := (pg_current_xact_id()::text::bigint % ledger_balance_shards())::integer;
BEGIN
    SELECT p.school_id, p.entry_id, p.line, p.account_id, p.effective_date, e.effective_date AS entry_date, e.created_xact, e.posting_count
        INTO wrong
        FROM new_postings p
        LEFT JOIN LATERAL (SELECT e.effective_date, e.created_xact, e.posting_count FROM journal_entries e
                           WHERE e.school_id = p.school_id AND e.entry_id = p.entry_id OFFSET 0) AS e ON true
        WHERE e.created_xact IS DISTINCT FROM pg_current_xact_id() OR p.effective_date IS DISTINCT FROM e.effective_date
           OR p.line > e.posting_count
           OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.school_id = p.school_id AND a.account_id = p.account_id)
        LIMIT 1;
    IF FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM accounts a WHERE a.school_id = wrong.school_id AND a.account_id = wrong.account_id) THEN
            RAISE EXCEPTION 'posting on account %, which is not an account of its school', wrong.account_id
                USING ERRCODE = '23503';
        ELSIF wrong.created_xact IS DISTINCT FROM pg_current_xact_id() THEN
            RAISE EXCEPTION 'postings may only be added by the transaction that created entry % of their school', wrong.entry_id
                USING ERRCODE = 'TU004';
        ELSIF wrong.line > wrong.posting_count THEN
            RAISE EXCEPTION 'posting line % of entry %, which declares % postings', wrong.line, wrong.entry_id, wrong.posting_count
                USING ERRCODE = 'TU002';
        END IF;
        RAISE EXCEPTION 'posting dated % differs from its entry dated %', wrong.effective_date, wrong.entry_date
            USING ERRCODE = 'TU005';
    END IF;
    WITH accounts_added AS (
        INSERT INTO account_balances AS b (school_id, account_id, shard, balance, posting_count)
            SELECT school_id, account_id, writer_shard, sum(amount)::bigint, count(*)
            FROM new_postings GROUP BY school_id, account_id ORDER BY school_id, account_id
            ON CONFLICT (school_id, account_id, shard) DO UPDATE
                SET balance = b.balance + EXCLUDED.balance, posting_count = b.posting_count + EXCLUDED.posting_count)
    INSERT INTO dimension_balances AS b (school_id, account_id, dimension, dimension_id, balance, posting_count)
        SELECT school_id, account_id, dimension, dimension_id, sum(amount)::bigint, count(*)
        FROM new_postings,
             LATERAL (VALUES ('student', student_id), ('family', family_id), ('invoice', invoice_id),
                             ('bank_transaction', bank_transaction_id)) AS v(dimension, dimension_id)
        WHERE dimension_id IS NOT NULL
        GROUP BY school_id, account_id, dimension, dimension_id
        ORDER BY school_id, account_id, dimension, dimension_id
        ON CONFLICT (school_id, account_id, dimension, dimension_id) DO UPDATE
            SET balance = b.balance + EXCLUDED.balance, posting_count = b.posting_count + EXCLUDED.posting_count;
    RETURN NULL;
END $$;

-- Balances are written only by the postings trigger: a write at trigger depth 0 (a session's own
-- statement) reaches ledger_guard_balances(), which refuses it; the trigger's own writes (depth 1)
-- skip the call.
DROP TRIGGER account_balances_guard ON account_balances;
DROP TRIGGER dimension_balances_guard ON dimension_balances;
CREATE TRIGGER account_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON account_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION ledger_guard_balances();
CREATE TRIGGER dimension_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON dimension_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION ledger_guard_balances();

-- What the ledger already holds for a batch about to be written (LedgerWriter's first round trip):
-- each account involved with its active flag, each entry to be reversed, the school's closed
-- period, and the entries and remembered failures of the batch's idempotency keys. One probe of a
-- unique index per wanted row. In a function so that its plans are generic, chosen once per
-- session: as a prepared statement, the planner either re-planned it for every entry (seeing the
-- list lengths, the custom plan always looked cheaper; planning cost more than running) or kept a
-- generic plan made while the school was small that scanned every entry of the school.
CREATE FUNCTION ledger_entry_history(school bigint, account_ids bigint[], reversed_ids bigint[], keys text[])
    RETURNS TABLE (kind text, idempotency_key text, number bigint, request_hash bytea, detail text, error_detail text)
    LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
    SELECT 'account', NULL::text, a.account_id, NULL::bytea, a.is_active::text, NULL::text
        FROM unnest(account_ids) AS w(id)
        JOIN LATERAL (SELECT a.account_id, a.is_active FROM accounts a WHERE a.school_id = school AND a.account_id = w.id OFFSET 0) AS a ON true
    UNION ALL
    SELECT 'reversed', NULL, r.entry_id, NULL, NULL, NULL
        FROM unnest(reversed_ids) AS w(id)
        JOIN LATERAL (SELECT j.entry_id FROM journal_entries j WHERE j.school_id = school AND j.entry_id = w.id OFFSET 0) AS r ON true
    UNION ALL
    SELECT 'school', NULL, NULL, NULL, s.closed_through::text, NULL FROM schools s WHERE s.school_id = school
    UNION ALL
    SELECT 'entry', e.idempotency_key, e.entry_id, e.request_hash, NULL, NULL
        FROM unnest(keys) AS w(key)
        JOIN LATERAL (SELECT j.idempotency_key, j.entry_id, j.request_hash FROM journal_entries j
                      WHERE j.school_id = school AND j.idempotency_key = w.key OFFSET 0) AS e ON true
    UNION ALL
    SELECT 'failure', f.idempotency_key, NULL, f.request_hash, f.error_code, f.error_detail
        FROM unnest(keys) AS w(key)
        JOIN LATERAL (SELECT l.idempotency_key, l.request_hash, l.error_code, l.error_detail FROM ledger_failures l
                      WHERE l.school_id = school AND l.idempotency_key = w.key OFFSET 0) AS f ON true;
END $$;
