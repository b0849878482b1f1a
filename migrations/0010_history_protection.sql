-- The database protects its history from the application itself.
--
-- The program runs as a role that owns nothing (see ApplicationGrants): it cannot alter tables,
-- disable triggers or truncate. What it may not do with rows it can otherwise write is refused
-- here, by triggers it cannot remove:
--   * a period is closed or reopened only through ledger_change_period(), a SECURITY DEFINER
--     function that moves schools.closed_through and records the period_events row together;
--   * a payment application is immutable except its unapply marker, set once;
--   * TRUNCATE is refused on every table holding history, for every role;
--   * a reversal mirrors its original: on every account, the two entries sum to zero (checked at
--     commit, once the reversal's postings are in).
-- Plain DDL: no role is named; the owner's default privileges give the application its grants.

-- True when the current user may act as the table's owner: the owner itself (which is what a
-- SECURITY DEFINER function of the owner runs as) or a superuser. The application role is neither.
CREATE FUNCTION ledger_acting_as_owner(table_oid oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = table_oid), 'USAGE')
$$;

-- schools.closed_through and period_events are written only by ledger_change_period.
CREATE FUNCTION ledger_guard_closed_through() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.closed_through IS NOT NULL
        OR TG_OP = 'UPDATE' AND NEW.closed_through IS DISTINCT FROM OLD.closed_through)
       AND NOT ledger_acting_as_owner(TG_RELID) THEN
        RAISE EXCEPTION 'a period is closed or reopened only through ledger_change_period()' USING ERRCODE = 'TU003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER schools_closed_through_guard BEFORE INSERT OR UPDATE ON schools
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_closed_through();

CREATE FUNCTION ledger_guard_period_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ledger_acting_as_owner(TG_RELID) THEN
        RAISE EXCEPTION 'period events are written only by ledger_change_period()' USING ERRCODE = 'TU003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER period_events_written_by_function BEFORE INSERT ON period_events
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_period_events();

-- Closes (closed through the month's last day) or reopens (closed through the day before the
-- month) a school's period and records who did it, under the school's period lock (the lock the
-- entry trigger shares). Returns the new closed_through. The caller checks who may do what and
-- explains refusals; this function refuses a move in the wrong direction whoever calls it.
CREATE FUNCTION ledger_change_period(school bigint, period_month date, period_action text, actor_name text, actor_role_name text)
    RETURNS date LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    current_through date;
    new_through date;
BEGIN
    IF extract(day FROM period_month) <> 1 THEN
        RAISE EXCEPTION 'a period starts on the first of its month, not %', period_month USING ERRCODE = 'TU006';
    END IF;
    PERFORM pg_advisory_xact_lock(7001, (school % 2147483647)::integer);
    SELECT closed_through INTO current_through FROM schools WHERE school_id = school FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no school %', school USING ERRCODE = 'TU006';
    END IF;
    IF period_action = 'close' THEN
        new_through := (period_month + interval '1 month' - interval '1 day')::date;
        IF new_through <= current_through THEN
            RAISE EXCEPTION '% is already closed (closed through %)', period_month, current_through USING ERRCODE = 'TU006';
        END IF;
    ELSIF period_action = 'reopen' THEN
        new_through := period_month - 1;
        IF current_through IS NULL OR period_month > current_through THEN
            RAISE EXCEPTION '% is not closed', period_month USING ERRCODE = 'TU006';
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown period action %', period_action USING ERRCODE = 'TU006';
    END IF;
    UPDATE schools SET closed_through = new_through WHERE school_id = school;
    INSERT INTO period_events (school_id, month, action, actor, actor_role, closed_through_after)
        VALUES (school, period_month, period_action, actor_name, actor_role_name, new_through);
    RETURN new_through;
END $$;

-- A payment application is history: only its unapply marker may be recorded, once, and it must
-- name the reversal of the application's own entry. Compared as JSON so a column added later is
-- covered without touching this function.
CREATE FUNCTION payment_application_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.unapply_entry_id IS NOT NULL
       OR to_jsonb(NEW) - 'unapply_entry_id' IS DISTINCT FROM to_jsonb(OLD) - 'unapply_entry_id'
       OR NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.school_id = NEW.school_id AND r.entry_id = NEW.unapply_entry_id
                                                          AND r.reverses_entry_id = NEW.entry_id) THEN
        RAISE EXCEPTION 'a payment application is history: only its unapplying (the reversal of its entry) may be recorded, once'
            USING ERRCODE = 'TU003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER payment_applications_guard BEFORE UPDATE OR DELETE ON payment_applications
    FOR EACH ROW EXECUTE FUNCTION payment_application_changed();

-- TRUNCATE skips row triggers: refused outright on every table holding history (postings,
-- journal_entries, accounts and reconciliation_runs already refuse it).
CREATE TRIGGER ledger_failures_no_truncate BEFORE TRUNCATE ON ledger_failures FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER period_events_no_truncate BEFORE TRUNCATE ON period_events FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER account_balances_no_truncate BEFORE TRUNCATE ON account_balances FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER dimension_balances_no_truncate BEFORE TRUNCATE ON dimension_balances FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER schools_no_truncate BEFORE TRUNCATE ON schools FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER student_changes_no_truncate BEFORE TRUNCATE ON student_changes FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER invoice_lines_no_truncate BEFORE TRUNCATE ON invoice_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER payment_applications_no_truncate BEFORE TRUNCATE ON payment_applications FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER callback_deliveries_no_truncate BEFORE TRUNCATE ON callback_deliveries FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER bank_transactions_no_truncate BEFORE TRUNCATE ON bank_transactions FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER statement_imports_no_truncate BEFORE TRUNCATE ON statement_imports FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER bank_statements_no_truncate BEFORE TRUNCATE ON bank_statements FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER statement_lines_no_truncate BEFORE TRUNCATE ON statement_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER suspense_dispositions_no_truncate BEFORE TRUNCATE ON suspense_dispositions FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- At commit: a reversal and its original sum to zero on every account (same accounts, opposite
-- amounts). Fires only for reversals.
CREATE FUNCTION ledger_check_reversal_mirrors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account bigint;
BEGIN
    SELECT account_id INTO account FROM postings
        WHERE school_id = NEW.school_id AND entry_id IN (NEW.entry_id, NEW.reverses_entry_id)
        GROUP BY account_id HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'reversal % does not mirror entry % on account %', NEW.entry_id, NEW.reverses_entry_id, account
            USING ERRCODE = 'TU007';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER reversal_mirrors AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.reverses_entry_id IS NOT NULL) EXECUTE FUNCTION ledger_check_reversal_mirrors();

-- Callback deliveries. A refused one (malformed, unknown account, bad signature) may come from
-- anyone: its row keeps the body's length, its SHA-256 and a short prefix, never the whole body,
-- so refusals cannot fill the database. Rows are never changed; rows that recorded no money may be
-- deleted when old (`tuition audit prune`); accepted and duplicate deliveries are the evidence of
-- money received and are kept.
ALTER TABLE callback_deliveries
    ADD COLUMN body_sha256 bytea CHECK (length(body_sha256) = 32),
    ADD COLUMN body_bytes integer CHECK (body_bytes BETWEEN 0 AND 65536);
CREATE INDEX callback_deliveries_by_time ON callback_deliveries (received_at) WHERE verdict NOT IN ('accepted', 'duplicate');

CREATE FUNCTION callback_delivery_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR OLD.verdict IN ('accepted', 'duplicate') THEN
        RAISE EXCEPTION 'a callback delivery is history: only refused deliveries may be pruned' USING ERRCODE = 'TU003';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER callback_deliveries_guard BEFORE UPDATE OR DELETE ON callback_deliveries
    FOR EACH ROW EXECUTE FUNCTION callback_delivery_changed();
