-- The double-entry ledger: schools, their chart of accounts, journal entries and postings.
--
-- Invariants held by PostgreSQL itself, so no code path can break them:
--   * every entry's postings sum to zero and number at least two (deferred constraint trigger);
--   * postings and entries are never updated or deleted (triggers; corrections are reversals);
--   * no entry is dated in a closed period (trigger, serialised with closing by an advisory lock);
--   * postings belong to an entry of their school and to an account of the same school (checked per
--     statement by trigger: set-based instead of a foreign-key lookup per posting row);
--   * postings may only be added in the transaction that created their entry;
--   * accounts are never deleted (deactivated instead);
--   * amounts are non-zero and within ±10^15 đồng; balances are maintained by a statement trigger.
-- Every table holding school data has school_id first in its primary key (distributable by school).
--
-- Amount sign convention: a debit is positive, a credit negative. An account's balance is the
-- sum of its postings; its normal balance side comes from its type.

CREATE TABLE schools (
    school_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    district         text NOT NULL CHECK (length(district) BETWEEN 1 AND 100),
    level            text NOT NULL CHECK (level IN ('preschool', 'primary', 'lower_secondary', 'upper_secondary', 'continuing')),
    payment_code_prefix text NOT NULL CHECK (payment_code_prefix ~ '^[A-HJ-NP-Z]{1,3}$'),
    -- The last day of the latest closed month; no entry may be dated on or before it.
    closed_through   date,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    school_id        bigint NOT NULL REFERENCES schools,
    account_id       bigint GENERATED ALWAYS AS IDENTITY,
    code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The type fixes the normal balance: asset and expense are debit-normal, the rest credit-normal.
    type             text NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    -- What the account is for, so services find "the suspense account" without knowing its code.
    purpose          text NOT NULL CHECK (purpose IN ('bank', 'cash', 'receivable', 'fee_income', 'collection',
                                                       'suspense', 'family_credit', 'refunds_payable',
                                                       'discounts', 'write_off', 'bank_fees', 'other')),
    is_active        boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, account_id),
    UNIQUE (school_id, code)
);

-- The school's accounts at banks; each is booked in its own ledger account.
CREATE TABLE bank_accounts (
    school_id        bigint NOT NULL REFERENCES schools,
    bank_account_id  bigint GENERATED ALWAYS AS IDENTITY,
    bank_bin         text NOT NULL CHECK (bank_bin ~ '^[0-9]{6}$'),
    account_number   text NOT NULL CHECK (account_number ~ '^[0-9A-Z]{1,19}$'),
    holder_name      text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 100),
    account_id       bigint NOT NULL,
    PRIMARY KEY (school_id, bank_account_id),
    UNIQUE (school_id, account_number),
    UNIQUE (school_id, account_id),
    FOREIGN KEY (school_id, account_id) REFERENCES accounts
);
-- A receiving account identifies its school when a bank reports a payment.
CREATE UNIQUE INDEX bank_accounts_by_number ON bank_accounts (account_number);

CREATE TABLE journal_entries (
    school_id        bigint NOT NULL REFERENCES schools,
    entry_id         bigint GENERATED ALWAYS AS IDENTITY,
    effective_date   date NOT NULL CHECK (effective_date BETWEEN DATE '2000-01-01' AND DATE '2999-12-31'),
    recorded_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind             text NOT NULL CHECK (kind IN ('opening_balance', 'invoice', 'payment_received', 'payment_applied',
                                                   'cash_receipt', 'credit_applied', 'refund', 'write_off',
                                                   'discount', 'reclassification', 'bank_fee', 'reversal', 'adjustment')),
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
    posting_count    integer NOT NULL CHECK (posting_count BETWEEN 2 AND 1000),
    reverses_entry_id bigint,
    invoice_id       bigint,
    bank_transaction_id bigint,
    -- The transaction that created the entry: postings may only be added by it.
    created_xact     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (school_id, entry_id),
    UNIQUE (school_id, idempotency_key),
    -- An entry is reversed at most once.
    UNIQUE (school_id, reverses_entry_id),
    FOREIGN KEY (school_id, reverses_entry_id) REFERENCES journal_entries,
    CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL))
);
CREATE INDEX journal_entries_by_date ON journal_entries (school_id, effective_date);

CREATE TABLE postings (
    school_id        bigint NOT NULL,
    entry_id         bigint NOT NULL,
    line             smallint NOT NULL CHECK (line BETWEEN 1 AND 1000),
    account_id       bigint NOT NULL,
    amount           bigint NOT NULL CHECK (amount <> 0 AND amount BETWEEN -1000000000000000 AND 1000000000000000),
    -- Copied from the entry (checked by trigger) so balances at a date need no join.
    effective_date   date NOT NULL,
    student_id       bigint,
    family_id        bigint,
    invoice_id       bigint,
    bank_transaction_id bigint,
    -- Its entry and account are checked by the statement trigger below (same school, entry of this
    -- transaction, account of this school), once per statement rather than one lookup per row.
    PRIMARY KEY (school_id, entry_id, line)
);
CREATE INDEX postings_by_account_date ON postings (school_id, account_id, effective_date);

-- Current balances, maintained in the same transaction as the postings by the statement trigger
-- below, split into a fixed number of shards per account: a transaction adds to the shard its id
-- selects, so concurrent writers to the same hot account (a school's bank and suspense accounts)
-- rarely wait for one another. An account's balance is the sum of its shards (at most
-- `ledger_balance_shards()` rows: O(1)); an account with no shard rows, or only rows with
-- posting_count = 0, has no postings, which callers tell apart from a zero balance.
CREATE FUNCTION ledger_balance_shards() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 16';

CREATE TABLE account_balances (
    school_id        bigint NOT NULL,
    account_id       bigint NOT NULL,
    shard            smallint NOT NULL CHECK (shard >= 0 AND shard < 16),
    balance          bigint NOT NULL,
    posting_count    bigint NOT NULL,
    PRIMARY KEY (school_id, account_id, shard),
    FOREIGN KEY (school_id, account_id) REFERENCES accounts
);

-- Balances per account and dimension value (a student's receivable, an invoice's, a family's credit).
CREATE TABLE dimension_balances (
    school_id        bigint NOT NULL,
    account_id       bigint NOT NULL,
    dimension        text NOT NULL CHECK (dimension IN ('student', 'family', 'invoice', 'bank_transaction')),
    dimension_id     bigint NOT NULL,
    balance          bigint NOT NULL,
    posting_count    bigint NOT NULL,
    PRIMARY KEY (school_id, account_id, dimension, dimension_id),
    FOREIGN KEY (school_id, account_id) REFERENCES accounts
);
CREATE INDEX dimension_balances_by_value ON dimension_balances (school_id, dimension, dimension_id);

-- Requests that failed for a business reason (closed period, unknown account, ...), remembered so a
-- retry with the same idempotency key fails the same way instead of succeeding later.
CREATE TABLE ledger_failures (
    school_id        bigint NOT NULL REFERENCES schools,
    idempotency_key  text NOT NULL,
    request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
    error_code       text NOT NULL,
    error_detail     text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, idempotency_key)
);

-- Every close and reopen of a period, with who and when.
CREATE TABLE period_events (
    school_id        bigint NOT NULL REFERENCES schools,
    event_id         bigint GENERATED ALWAYS AS IDENTITY,
    month            date NOT NULL CHECK (extract(day FROM month) = 1),
    action           text NOT NULL CHECK (action IN ('close', 'reopen')),
    actor            text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    actor_role       text NOT NULL,
    closed_through_after date,
    happened_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (school_id, event_id)
);

-- Postings, entries and failures are history: never updated or deleted.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'TU003';
END $$;
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entries_immutable BEFORE UPDATE OR DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON journal_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER period_events_immutable BEFORE UPDATE OR DELETE ON period_events FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER failures_immutable BEFORE UPDATE OR DELETE ON ledger_failures FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
-- Accounts are deactivated, never deleted: postings refer to them.
CREATE TRIGGER accounts_kept BEFORE DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- New entries, checked once per statement: created by this transaction (postings may only be
-- added by it), and not dated in a closed period. Closing a period takes the school's advisory
-- lock exclusively; entries take it shared here, so an entry either commits before the close or
-- sees the new closed_through (this function's queries take a fresh snapshot after the lock).
CREATE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    late record;
BEGIN
    IF EXISTS (SELECT 1 FROM new_entries WHERE created_xact <> pg_current_xact_id()) THEN
        RAISE EXCEPTION 'entries must be stamped with the transaction creating them' USING ERRCODE = 'TU004';
    END IF;
    PERFORM pg_advisory_xact_lock_shared(7001, (school_id % 2147483647)::integer)
        FROM (SELECT DISTINCT school_id FROM new_entries ORDER BY school_id) AS s;
    SELECT e.entry_id, e.effective_date, s.closed_through INTO late
        FROM new_entries e JOIN schools s ON s.school_id = e.school_id
        WHERE e.effective_date <= s.closed_through LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry dated % falls in a closed period (closed through %)', late.effective_date, late.closed_through
            USING ERRCODE = 'TU001';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER entries_inserted AFTER INSERT ON journal_entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_inserted();

-- At commit: every entry touched sums to zero and has as many postings as it declares (at least two).
CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    counted integer;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, counted FROM postings
        WHERE school_id = NEW.school_id AND entry_id = NEW.entry_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'entry % does not balance: postings sum to %', NEW.entry_id, total USING ERRCODE = 'TU002';
    END IF;
    IF counted <> NEW.posting_count THEN
        RAISE EXCEPTION 'entry % declares % postings but has %', NEW.entry_id, NEW.posting_count, counted USING ERRCODE = 'TU002';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER entry_balanced AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

-- New postings, once per statement: each of an entry created by this transaction in its school,
-- dated as its entry, on an account of its school; then the balances follow in the same
-- statement, aggregated and in key order (a fixed lock order), into this transaction's shard.
CREATE FUNCTION ledger_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wrong record;
    writer_shard integer := (pg_current_xact_id()::text::bigint % ledger_balance_shards())::integer;
BEGIN
    SELECT p.entry_id, p.account_id, p.effective_date, e.effective_date AS entry_date, e.created_xact, a.account_id AS known_account
        INTO wrong
        FROM new_postings p
        LEFT JOIN journal_entries e ON e.school_id = p.school_id AND e.entry_id = p.entry_id
        LEFT JOIN accounts a ON a.school_id = p.school_id AND a.account_id = p.account_id
        WHERE e.created_xact IS DISTINCT FROM pg_current_xact_id() OR p.effective_date IS DISTINCT FROM e.effective_date
           OR a.account_id IS NULL
        LIMIT 1;
    IF FOUND THEN
        IF wrong.known_account IS NULL THEN
            RAISE EXCEPTION 'posting on account %, which is not an account of its school', wrong.account_id
                USING ERRCODE = '23503';
        ELSIF wrong.created_xact IS DISTINCT FROM pg_current_xact_id() THEN
            RAISE EXCEPTION 'postings may only be added by the transaction that created entry % of their school', wrong.entry_id
                USING ERRCODE = 'TU004';
        END IF;
        RAISE EXCEPTION 'posting dated % differs from its entry dated %', wrong.effective_date, wrong.entry_date
            USING ERRCODE = 'TU005';
    END IF;
    INSERT INTO account_balances AS b (school_id, account_id, shard, balance, posting_count)
        SELECT school_id, account_id, writer_shard, sum(amount)::bigint, count(*)
        FROM new_postings GROUP BY school_id, account_id ORDER BY school_id, account_id
        ON CONFLICT (school_id, account_id, shard) DO UPDATE
            SET balance = b.balance + EXCLUDED.balance, posting_count = b.posting_count + EXCLUDED.posting_count;
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
CREATE TRIGGER postings_inserted AFTER INSERT ON postings REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_inserted();

-- Balances are only ever written by the triggers above: a session's own INSERT, UPDATE or DELETE
-- on them (trigger depth 1) is refused.
CREATE FUNCTION ledger_guard_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balances change only through postings' USING ERRCODE = 'TU003';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER account_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON account_balances FOR EACH ROW EXECUTE FUNCTION ledger_guard_balances();
CREATE TRIGGER dimension_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON dimension_balances FOR EACH ROW EXECUTE FUNCTION ledger_guard_balances();
