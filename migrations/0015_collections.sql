-- Bank collection service ("thu hộ"): a bank asks what a pupil owes, takes the parent's money and
-- posts a payment notice that applies exactly to the items it named; it may reverse the notice
-- before its cut-off, and at the end of the day it sends a reconciliation file.

-- One payment notice as recorded: exactly once per (school, provider, bank transaction id). The
-- money itself is a bank transaction (Dr bank / Cr suspense, then applied); this row keeps what the
-- bank named, what became of it (a named exception when it did not fit the items), and the reply
-- the bank got, so a retry is answered the same way.
CREATE TABLE collection_payments (
    school_id        bigint NOT NULL REFERENCES schools,
    payment_id       bigint GENERATED ALWAYS AS IDENTITY,
    connection_id    bigint NOT NULL,
    provider         text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{1,31}$'),
    bank_reference   text NOT NULL CHECK (length(bank_reference) BETWEEN 1 AND 64),
    bank_transaction_id bigint NOT NULL,
    -- The bank's business day of the payment (Vietnam time): what its end-of-day file lists it under.
    business_date    date NOT NULL,
    paid_at          timestamptz NOT NULL,
    amount           bigint NOT NULL CHECK (amount > 0 AND amount <= 1000000000000000),
    customer_code    text NOT NULL CHECK (length(customer_code) <= 40),
    student_id       bigint,
    applied          bigint NOT NULL CHECK (applied >= 0),
    credited         bigint NOT NULL CHECK (credited >= 0),
    exception        text CHECK (exception IN ('overpaid', 'underpaid', 'items_paid_elsewhere', 'unidentified',
                                               'application_refused', 'bank_only')),
    receipt_ids      bigint[] NOT NULL DEFAULT '{}',
    -- How this notice arrived: a notice from the bank, or a line of its end-of-day file we lacked.
    source           text NOT NULL CHECK (source IN ('notice', 'reconciliation_file')),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    reversed_at      timestamptz,
    reversal_reference text CHECK (length(reversal_reference) BETWEEN 1 AND 64),
    reversal_entry_id bigint,
    PRIMARY KEY (school_id, payment_id),
    FOREIGN KEY (school_id, connection_id) REFERENCES bank_connections,
    FOREIGN KEY (school_id, bank_transaction_id) REFERENCES bank_transactions,
    FOREIGN KEY (school_id, reversal_entry_id) REFERENCES journal_entries,
    UNIQUE (school_id, provider, bank_reference),
    CHECK ((reversed_at IS NULL) = (reversal_reference IS NULL))
);
CREATE INDEX collection_payments_by_day ON collection_payments (school_id, provider, business_date);

-- The result of one end-of-day reconciliation file: counts and amounts of each kind of difference,
-- and the full report (JSON) as shown in the console and the monthly reconciliation.
CREATE TABLE collection_reconciliations (
    school_id        bigint NOT NULL REFERENCES schools,
    reconciliation_id bigint GENERATED ALWAYS AS IDENTITY,
    provider         text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{1,31}$'),
    business_date    date NOT NULL,
    file_sha256      bytea NOT NULL CHECK (length(file_sha256) = 32),
    matched_count    integer NOT NULL CHECK (matched_count >= 0),
    matched_amount   bigint NOT NULL,
    bank_only_count  integer NOT NULL CHECK (bank_only_count >= 0),
    bank_only_amount bigint NOT NULL,
    ours_only_count  integer NOT NULL CHECK (ours_only_count >= 0),
    ours_only_amount bigint NOT NULL,
    differing_count  integer NOT NULL CHECK (differing_count >= 0),
    report           jsonb NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, reconciliation_id)
);
CREATE INDEX collection_reconciliations_by_day ON collection_reconciliations (school_id, provider, business_date);

-- Refused collection requests (forged, stale, replayed, malformed): one bounded line each, nothing else.
CREATE TABLE collection_refusals (
    refusal_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    provider         text NOT NULL CHECK (length(provider) BETWEEN 1 AND 32),
    operation        text NOT NULL CHECK (operation IN ('token', 'inquiry', 'payment', 'reversal')),
    school_id        bigint REFERENCES schools,
    request_id       text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 64),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 300)
);
