-- Reconciliation: what accountants decided about money in suspense, and every monthly run.
--
-- A disposition moves a bank transaction's money out of suspense without an invoice: a refund due
-- to the sender (Dr suspense / Cr refunds payable), the refund paid when the outgoing bank line
-- arrives (Dr refunds payable / Cr suspense of that outgoing line), or money that is not tuition
-- (Dr suspense / Cr an account the accountant chose). Each is one ledger entry with its reason;
-- reversing it posts the reversal entry and marks the row (the only update allowed).

CREATE TABLE suspense_dispositions (
    school_id        bigint NOT NULL,
    disposition_id   bigint GENERATED ALWAYS AS IDENTITY,
    bank_transaction_id bigint NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('refund_due', 'refund_paid', 'not_tuition')),
    -- For refund_paid: the incoming transaction whose refund this outgoing line pays.
    refunded_transaction_id bigint,
    -- For not_tuition: the account credited.
    account_id       bigint,
    amount           bigint NOT NULL CHECK (amount > 0 AND amount <= 1000000000000000),
    entry_id         bigint NOT NULL,
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    decided_by       text NOT NULL CHECK (length(decided_by) BETWEEN 1 AND 200),
    decided_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    reversal_entry_id bigint,
    reversal_reason  text CHECK (length(reversal_reason) BETWEEN 1 AND 200),
    PRIMARY KEY (school_id, disposition_id),
    UNIQUE (school_id, entry_id),
    FOREIGN KEY (school_id, bank_transaction_id) REFERENCES bank_transactions,
    FOREIGN KEY (school_id, refunded_transaction_id) REFERENCES bank_transactions,
    FOREIGN KEY (school_id, account_id) REFERENCES accounts,
    FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries,
    FOREIGN KEY (school_id, reversal_entry_id) REFERENCES journal_entries,
    CHECK ((kind = 'refund_paid') = (refunded_transaction_id IS NOT NULL)),
    CHECK ((kind = 'not_tuition') = (account_id IS NOT NULL)),
    CHECK ((reversal_entry_id IS NULL) = (reversal_reason IS NULL))
);
CREATE INDEX suspense_dispositions_by_transaction ON suspense_dispositions (school_id, bank_transaction_id);
CREATE INDEX suspense_dispositions_by_refunded ON suspense_dispositions (school_id, refunded_transaction_id)
    WHERE refunded_transaction_id IS NOT NULL;

-- Only the reversal of a disposition may be recorded after the fact, once.
CREATE FUNCTION suspense_disposition_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.reversal_entry_id IS NOT NULL
       OR (NEW.school_id, NEW.disposition_id, NEW.bank_transaction_id, NEW.kind, NEW.refunded_transaction_id, NEW.account_id,
           NEW.amount, NEW.entry_id, NEW.reason, NEW.decided_by, NEW.decided_at)
          IS DISTINCT FROM
          (OLD.school_id, OLD.disposition_id, OLD.bank_transaction_id, OLD.kind, OLD.refunded_transaction_id, OLD.account_id,
           OLD.amount, OLD.entry_id, OLD.reason, OLD.decided_by, OLD.decided_at) THEN
        RAISE EXCEPTION 'a suspense disposition is history: only its reversal may be recorded, once' USING ERRCODE = 'TU003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER suspense_dispositions_guard BEFORE UPDATE OR DELETE ON suspense_dispositions
    FOR EACH ROW EXECUTE FUNCTION suspense_disposition_changed();

-- Every monthly reconciliation run of a school, with the report it produced, byte for byte: the
-- canonical JSON (MonthlyReportJSON) and its SHA-256, so the finance office can show auditors
-- exactly what it saw. Runs are history: never updated or deleted.
CREATE TABLE reconciliation_runs (
    school_id        bigint NOT NULL REFERENCES schools,
    run_id           bigint NOT NULL,
    month            date NOT NULL CHECK (extract(day FROM month) = 1),
    state            text NOT NULL CHECK (state IN ('agrees', 'differences', 'closed')),
    close_requested  boolean NOT NULL,
    -- The month is closed when the report was made (by this run, or already before it).
    closed           boolean NOT NULL,
    -- Unapplied transactions the run applied because they had become certain (e.g. an invoice issued later).
    applied_count    integer NOT NULL CHECK (applied_count >= 0),
    -- Statement lines of the month that never came as a callback: count and total (signed, money in positive).
    statement_only_count integer NOT NULL CHECK (statement_only_count >= 0),
    statement_only_total bigint NOT NULL,
    -- Stored as text, not jsonb: the bytes must stay exactly those hashed.
    report_json      text NOT NULL CHECK (length(report_json) BETWEEN 2 AND 100000000),
    report_sha256    bytea NOT NULL CHECK (length(report_sha256) = 32),
    run_by           text NOT NULL CHECK (length(run_by) BETWEEN 1 AND 200),
    run_by_role      text NOT NULL,
    run_at           timestamptz NOT NULL,
    PRIMARY KEY (school_id, run_id),
    CHECK (closed = (state = 'closed')),
    CHECK (sha256(convert_to(report_json, 'UTF8')) = report_sha256)
);
CREATE SEQUENCE reconciliation_runs_run_id_seq AS bigint OWNED BY reconciliation_runs.run_id;
ALTER TABLE reconciliation_runs ALTER COLUMN run_id SET DEFAULT nextval('reconciliation_runs_run_id_seq');
-- The latest run of a month, per school (the province report reads it for every school at once).
CREATE INDEX reconciliation_runs_latest ON reconciliation_runs (month, school_id, run_id DESC);
CREATE TRIGGER reconciliation_runs_immutable BEFORE UPDATE OR DELETE ON reconciliation_runs
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER reconciliation_runs_no_truncate BEFORE TRUNCATE ON reconciliation_runs
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
