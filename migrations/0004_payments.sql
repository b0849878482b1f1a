-- Bank input: connections of banks and payment intermediaries, the raw callbacks they deliver,
-- the bank transactions derived from callbacks and statement lines, and statement imports.
--
-- A bank transaction is money the bank reports moving on one of the school's accounts. It comes
-- from a callback (provisional until a statement line confirms it) or from a statement line that
-- no callback announced. Either way it is booked once: Dr bank / Cr suspense (dimension
-- bank_transaction), and applied to invoices from suspense (Billing's payment applications).

-- A provider posting callbacks for a school: which receiving accounts (or merchant codes) it
-- reports on, and the secrets its signatures are made with (two may be active during a rotation).
CREATE TABLE bank_connections (
    school_id        bigint NOT NULL REFERENCES schools,
    connection_id    bigint GENERATED ALWAYS AS IDENTITY,
    provider         text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{1,31}$'),
    label            text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    -- Non-secret per-connection parameters a signature scheme needs (JSON object of strings).
    parameters       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    removed_at       timestamptz,
    PRIMARY KEY (school_id, connection_id)
);

-- The accounts a connection reports on. A (provider, account) pair names one school: that is how
-- an incoming callback finds its school before anything else is trusted.
CREATE TABLE bank_connection_accounts (
    school_id        bigint NOT NULL,
    connection_id    bigint NOT NULL,
    provider         text NOT NULL,
    receiving_account text NOT NULL CHECK (receiving_account ~ '^[0-9A-Za-z_.-]{1,40}$'),
    -- The school's bank account money on this receiving account is booked in.
    bank_account_id  bigint NOT NULL,
    PRIMARY KEY (school_id, connection_id, receiving_account),
    FOREIGN KEY (school_id, connection_id) REFERENCES bank_connections,
    FOREIGN KEY (school_id, bank_account_id) REFERENCES bank_accounts
);
CREATE UNIQUE INDEX bank_connection_accounts_route ON bank_connection_accounts (provider, receiving_account);

-- Signing secrets. They must be readable to verify HMACs, so they are never returned by any API
-- and never logged; retired secrets are kept (retired_at set) for the audit trail.
CREATE TABLE bank_connection_secrets (
    school_id        bigint NOT NULL,
    connection_id    bigint NOT NULL,
    secret_id        bigint GENERATED ALWAYS AS IDENTITY,
    secret           bytea NOT NULL CHECK (length(secret) BETWEEN 8 AND 1024),
    created_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz,
    PRIMARY KEY (school_id, connection_id, secret_id),
    FOREIGN KEY (school_id, connection_id) REFERENCES bank_connections
);

-- Every callback delivery as received, with its verdict, refused ones included. The school is
-- known only once the receiving account is recognised, so this audit table is keyed by delivery.
CREATE TABLE callback_deliveries (
    delivery_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    provider         text NOT NULL CHECK (length(provider) BETWEEN 1 AND 32),
    school_id        bigint REFERENCES schools,
    connection_id    bigint,
    request_id       text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 64),
    method           text NOT NULL CHECK (length(method) BETWEEN 1 AND 10),
    query            text NOT NULL CHECK (length(query) <= 16384),
    -- Headers with credentials (Authorization) redacted.
    headers          jsonb NOT NULL,
    body             bytea NOT NULL CHECK (length(body) <= 65536),
    verdict          text NOT NULL CHECK (verdict IN ('accepted', 'duplicate', 'refused_signature', 'malformed',
                                                      'unknown_account', 'not_incoming', 'invalid_amount')),
    reason           text CHECK (length(reason) <= 1000),
    provider_transaction_id text,
    bank_transaction_id bigint
);
CREATE INDEX callback_deliveries_by_school ON callback_deliveries (school_id, received_at) WHERE school_id IS NOT NULL;

CREATE TABLE bank_transactions (
    school_id        bigint NOT NULL,
    bank_transaction_id bigint GENERATED ALWAYS AS IDENTITY,
    bank_account_id  bigint NOT NULL,
    origin           text NOT NULL CHECK (origin IN ('callback', 'statement')),
    -- Callback identity: the provider's transaction id (composite ids joined as the description says).
    provider         text,
    provider_transaction_id text CHECK (length(provider_transaction_id) BETWEEN 1 AND 200),
    direction        text NOT NULL CHECK (direction IN ('in', 'out')),
    amount           bigint NOT NULL CHECK (amount > 0 AND amount <= 1000000000000000),
    booked_on        date NOT NULL,
    occurred_at      timestamptz,
    memo             text NOT NULL DEFAULT '' CHECK (length(memo) <= 2000),
    normalized_memo  text NOT NULL DEFAULT '',
    payer_name       text CHECK (length(payer_name) <= 200),
    payer_account    text CHECK (length(payer_account) <= 64),
    payer_bank       text CHECK (length(payer_bank) <= 100),
    virtual_account  text CHECK (length(virtual_account) <= 40),
    -- The bank's own reference when known (statement line, or a callback that carries it).
    bank_reference   text CHECK (length(bank_reference) BETWEEN 1 AND 100),
    -- A callback stays provisional until a statement line confirms it; statement lines are confirmed.
    status           text NOT NULL CHECK (status IN ('provisional', 'confirmed')),
    confirmed_at     timestamptz,
    -- The booking entry: Dr bank / Cr suspense (in) or Dr suspense / Cr bank (out). Set in the
    -- transaction that inserts the row (the entry's postings carry this row's id as a dimension).
    entry_id         bigint,
    -- Why the matcher decided what it decided when the transaction arrived (rule, signals), as JSON.
    match_decision   jsonb,
    -- What the accountant decided for money that is not tuition or is to be refunded.
    disposition      text CHECK (disposition IN ('refund_due', 'not_tuition')),
    disposition_entry_id bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, bank_transaction_id),
    FOREIGN KEY (school_id, bank_account_id) REFERENCES bank_accounts,
    FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries,
    FOREIGN KEY (school_id, disposition_entry_id) REFERENCES journal_entries,
    CHECK ((origin = 'callback') = (provider IS NOT NULL AND provider_transaction_id IS NOT NULL)),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
-- Exactly once per provider transaction: concurrent duplicate deliveries meet here.
CREATE UNIQUE INDEX bank_transactions_provider_id ON bank_transactions (school_id, provider, provider_transaction_id)
    WHERE provider IS NOT NULL;
CREATE INDEX bank_transactions_by_date ON bank_transactions (school_id, bank_account_id, booked_on);
CREATE INDEX bank_transactions_provisional ON bank_transactions (school_id, bank_account_id, amount)
    WHERE status = 'provisional';

-- One imported statement file.
CREATE TABLE statement_imports (
    school_id        bigint NOT NULL REFERENCES schools,
    import_id        bigint GENERATED ALWAYS AS IDENTITY,
    bank_account_id  bigint NOT NULL,
    file_name        text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    file_sha256      bytea NOT NULL CHECK (length(file_sha256) = 32),
    format           text NOT NULL CHECK (length(format) BETWEEN 1 AND 64),
    lines_total      integer NOT NULL CHECK (lines_total >= 0),
    lines_new        integer NOT NULL CHECK (lines_new >= 0),
    lines_known      integer NOT NULL CHECK (lines_known >= 0),
    callbacks_confirmed integer NOT NULL CHECK (callbacks_confirmed >= 0),
    lines_conflicting integer NOT NULL CHECK (lines_conflicting >= 0),
    imported_by      text NOT NULL CHECK (length(imported_by) BETWEEN 1 AND 200),
    imported_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, import_id),
    FOREIGN KEY (school_id, bank_account_id) REFERENCES bank_accounts
);

-- One statement of an import, with its balances: the closing balance of the last statement of a
-- month is what the monthly reconciliation compares the ledger with.
CREATE TABLE bank_statements (
    school_id        bigint NOT NULL,
    statement_id     bigint GENERATED ALWAYS AS IDENTITY,
    import_id        bigint NOT NULL,
    bank_account_id  bigint NOT NULL,
    reference        text CHECK (length(reference) <= 100),
    opening_balance  bigint,
    opening_date     date,
    closing_balance  bigint,
    closing_date     date,
    line_count       integer NOT NULL CHECK (line_count >= 0),
    PRIMARY KEY (school_id, statement_id),
    FOREIGN KEY (school_id, import_id) REFERENCES statement_imports,
    FOREIGN KEY (school_id, bank_account_id) REFERENCES bank_accounts
);
CREATE INDEX bank_statements_by_closing ON bank_statements (school_id, bank_account_id, closing_date);

-- Every statement line ever imported, deduplicated: on the bank's reference where there is one,
-- otherwise on a fingerprint of account, booking date, amount and normalised memo plus an
-- occurrence index (so two genuine identical payments on one day are both kept).
CREATE TABLE statement_lines (
    school_id        bigint NOT NULL,
    line_id          bigint GENERATED ALWAYS AS IDENTITY,
    bank_account_id  bigint NOT NULL,
    import_id        bigint NOT NULL,
    dedup_key        text NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 300),
    booked_on        date NOT NULL,
    value_date       date,
    amount           bigint NOT NULL CHECK (amount <> 0),
    bank_reference   text,
    customer_reference text,
    memo             text NOT NULL DEFAULT '',
    bank_transaction_id bigint NOT NULL,
    -- How the line met the ledger: a new transaction, or the confirmation of a callback's.
    outcome          text NOT NULL CHECK (outcome IN ('new', 'confirmed_callback')),
    PRIMARY KEY (school_id, line_id),
    UNIQUE (school_id, bank_account_id, dedup_key),
    FOREIGN KEY (school_id, import_id) REFERENCES statement_imports,
    FOREIGN KEY (school_id, bank_transaction_id) REFERENCES bank_transactions
);

-- Postings' bank-transaction dimension points at real transactions from now on.
CREATE INDEX statement_lines_by_transaction ON statement_lines (school_id, bank_transaction_id);
