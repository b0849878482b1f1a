-- What a callback's and a notice's rows cost the database, third cut (docs/callbacks.md §6,
-- "Eleventh round: the database's rows"; docs/ledger.md "What a callback's rows cost the database").
-- Every rule the database enforced before still holds, enforced by PostgreSQL itself:
--
--   * An entry's school exists: checked by the entries trigger, which already read each new entry's
--     school (for its closed period), instead of by a foreign-key check per entry (an SPI query and
--     a row lock written to the WAL, ~3 µs each, 1.4 per callback). A foreign key also stops the
--     school from being deleted or re-keyed later, and while the entry's transaction is open; here
--     a school is never deleted nor re-keyed at all (schools_kept, schools_key_kept), so a school
--     the trigger found stays.
--   * A bank transaction's match decision is stored as `json` (validated, kept as written) instead
--     of `jsonb` (parsed into a binary tree on every insert): no statement reads into it, it is only
--     returned whole as text (DecisionStore.load). ~3 µs per row inserted.
--   * A bank transaction's bank account and booking entry exist: checked once per statement for
--     all its rows (a statement trigger with a transition table; one for inserts, one for updates,
--     since such a trigger serves one event) instead of by two foreign-key checks per row (each an
--     SPI query and a lock of the referenced row, a WAL record: the entry differs on every row).
--     What the foreign keys also guaranteed, that the referenced rows stay, holds without locks:
--     entries are never updated or deleted (entries_immutable, 0001), and bank accounts are now
--     never deleted nor re-keyed (bank_accounts_kept, bank_accounts_key_kept).
--
-- The column's type change rewrites bank_transactions under an ACCESS EXCLUSIVE lock
-- (docs/operations.md, beside 0027's rewrite).

-- Schools are never deleted nor re-keyed: entries rely on the one they name for ever.
CREATE FUNCTION ledger_refuse_school_change() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'school % is kept with its key: journal entries refer to it (% refused)', OLD.school_id, TG_OP
        USING ERRCODE = 'TU003';
END $$;
CREATE TRIGGER schools_kept BEFORE DELETE ON schools FOR EACH ROW EXECUTE FUNCTION ledger_refuse_school_change();
CREATE TRIGGER schools_key_kept BEFORE UPDATE OF school_id ON schools
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id) EXECUTE FUNCTION ledger_refuse_school_change();

-- New entries, once per statement: stamped with this transaction, of a school that exists, not dated
-- in a closed period (under the school's period lock, shared here, taken exclusively by
-- ledger_change_period), and balanced with exactly their declared postings, which are inserted by
-- the same statement. As 0021's, plus the school's existence (one probe it already made).
CREATE OR REPLACE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7001, (school_id % 2147483647)::integer)
        FROM (SELECT DISTINCT school_id FROM new_entries ORDER BY school_id) AS s;
    SELECT e.school_id, e.entry_id, e.effective_date, e.created_xact, e.posting_count, s.known, s.closed_through, t.total, t.counted
        INTO wrong
        FROM new_entries e
        LEFT JOIN LATERAL (SELECT true AS known, s.closed_through FROM schools s WHERE s.school_id = e.school_id) AS s ON true
        CROSS JOIN LATERAL (SELECT coalesce(sum(p.amount), 0) AS total, count(*) AS counted FROM postings p
                            WHERE p.school_id = e.school_id AND p.entry_id = e.entry_id) AS t
        WHERE s.known IS NULL OR e.created_xact <> pg_current_xact_id() OR e.effective_date <= s.closed_through
           OR t.total <> 0 OR t.counted <> e.posting_count
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF wrong.known IS NULL THEN
        RAISE EXCEPTION 'entry % names school %, which does not exist', wrong.entry_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'journal_entries_school_id_fkey';
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

ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_school_id_fkey;

ALTER TABLE bank_transactions ALTER COLUMN match_decision TYPE json USING match_decision::json;
ALTER TABLE bank_transactions ALTER COLUMN match_decision SET STATISTICS 0;

-- Bank accounts are never deleted nor re-keyed: bank transactions rely on the one they name for ever.
CREATE FUNCTION payments_refuse_bank_account_change() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'bank account % of school % is kept with its key: bank transactions refer to it (% refused)',
        OLD.bank_account_id, OLD.school_id, TG_OP USING ERRCODE = 'TU003';
END $$;
CREATE TRIGGER bank_accounts_kept BEFORE DELETE ON bank_accounts FOR EACH ROW EXECUTE FUNCTION payments_refuse_bank_account_change();
CREATE TRIGGER bank_accounts_key_kept BEFORE UPDATE OF school_id, bank_account_id ON bank_accounts
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.bank_account_id IS DISTINCT FROM NEW.bank_account_id)
    EXECUTE FUNCTION payments_refuse_bank_account_change();

-- The rows a statement wrote into bank_transactions name a bank account of their school and, when
-- booked, an entry of their school: one probe of each primary key per row, no row lock. Refused as
-- the foreign keys refused (23503, under their names).
CREATE FUNCTION payments_bank_transactions_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.bank_transaction_id, n.bank_account_id, n.entry_id,
           EXISTS (SELECT 1 FROM bank_accounts a WHERE a.school_id = n.school_id AND a.bank_account_id = n.bank_account_id) AS account_known
        INTO wrong
        FROM written n
        WHERE NOT EXISTS (SELECT 1 FROM bank_accounts a WHERE a.school_id = n.school_id AND a.bank_account_id = n.bank_account_id)
           OR (n.entry_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = n.school_id AND e.entry_id = n.entry_id))
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT wrong.account_known THEN
        RAISE EXCEPTION 'bank transaction % names bank account %, which is not one of school %', wrong.bank_transaction_id,
            wrong.bank_account_id, wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'bank_transactions_school_id_bank_account_id_fkey';
    END IF;
    RAISE EXCEPTION 'bank transaction % names entry %, which is not one of school %', wrong.bank_transaction_id, wrong.entry_id,
        wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'bank_transactions_school_id_entry_id_fkey';
END $$;
CREATE TRIGGER bank_transactions_inserted_references AFTER INSERT ON bank_transactions REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION payments_bank_transactions_references();
CREATE TRIGGER bank_transactions_updated_references AFTER UPDATE ON bank_transactions REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION payments_bank_transactions_references();

ALTER TABLE bank_transactions DROP CONSTRAINT bank_transactions_school_id_bank_account_id_fkey,
                              DROP CONSTRAINT bank_transactions_school_id_entry_id_fkey;
