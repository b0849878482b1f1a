-- Billing: families and students, fee types and schedules, discounts, invoices, payment
-- applications and receipts. Every table has school_id first in its primary key; composite
-- foreign keys keep every row inside its school. Amounts are bigint đồng.
--
-- What an invoice owes, whether it is paid and whether it is void are NOT stored here: they come
-- from the ledger (the receivable account's balance for the invoice dimension, and whether the
-- invoice's entry was reversed). `invoices.void_entry_id` only mirrors the reversal so the partial
-- unique index below can allow a new invoice for the same student and period after a void.

-- Gapless numbers and serials, one row per (school, counter, school year); 0 for counters that are
-- not per year. Updated in the transaction that uses the numbers, so a rollback gives them back.
CREATE TABLE billing_counters (
    school_id        bigint NOT NULL REFERENCES schools,
    counter          text NOT NULL CHECK (counter IN ('student_serial', 'invoice_serial', 'invoice_number', 'receipt_number')),
    school_year      integer NOT NULL CHECK (school_year = 0 OR school_year BETWEEN 2000 AND 2999),
    last_value       bigint NOT NULL CHECK (last_value >= 0),
    PRIMARY KEY (school_id, counter, school_year)
);

CREATE TABLE families (
    school_id        bigint NOT NULL REFERENCES schools,
    family_id        bigint GENERATED ALWAYS AS IDENTITY,
    family_key       text NOT NULL CHECK (length(family_key) BETWEEN 1 AND 64),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, family_id),
    UNIQUE (school_id, family_key)
);

CREATE TABLE students (
    school_id        bigint NOT NULL REFERENCES schools,
    student_id       bigint GENERATED ALWAYS AS IDENTITY,
    -- The school's own code for the student (from its roster).
    student_code     text NOT NULL CHECK (student_code ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$'),
    full_name        text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    normalized_name  text NOT NULL CHECK (length(normalized_name) BETWEEN 1 AND 200),
    date_of_birth    date,
    class_name       text NOT NULL CHECK (length(class_name) BETWEEN 1 AND 20),
    grade            smallint NOT NULL CHECK (grade BETWEEN 0 AND 12),
    category         text NOT NULL DEFAULT 'standard' CHECK (category ~ '^[a-z][a-z0-9_]{0,31}$'),
    guardian_name    text CHECK (length(guardian_name) BETWEEN 1 AND 100),
    guardian_phone   text CHECK (guardian_phone ~ '^\+?[0-9]{8,15}$'),
    family_id        bigint,
    virtual_account  text CHECK (virtual_account ~ '^[0-9A-Z]{1,19}$'),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_on     date,
    -- The standing payment code (PaymentCode kind student) and the serial it was made from.
    payment_code     text NOT NULL,
    payment_serial   bigint NOT NULL CHECK (payment_serial >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, student_id),
    UNIQUE (school_id, student_code),
    UNIQUE (school_id, payment_code),
    UNIQUE (school_id, payment_serial),
    UNIQUE (school_id, virtual_account),
    FOREIGN KEY (school_id, family_id) REFERENCES families,
    CHECK ((status = 'withdrawn') = (withdrawn_on IS NOT NULL))
);
CREATE INDEX students_by_family ON students (school_id, family_id) WHERE family_id IS NOT NULL;

-- Every change to a student's recorded details: what changed, from what, to what, by whom.
CREATE TABLE student_changes (
    school_id        bigint NOT NULL,
    change_id        bigint GENERATED ALWAYS AS IDENTITY,
    student_id       bigint NOT NULL,
    field            text NOT NULL,
    old_value        text,
    new_value        text,
    changed_by       text NOT NULL CHECK (length(changed_by) BETWEEN 1 AND 200),
    changed_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (school_id, change_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students
);
CREATE INDEX student_changes_by_student ON student_changes (school_id, student_id);

CREATE TABLE fee_types (
    school_id        bigint NOT NULL REFERENCES schools,
    fee_type_id      bigint GENERATED ALWAYS AS IDENTITY,
    code             text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,15}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind             text NOT NULL CHECK (kind IN ('tuition', 'agreed_collection')),
    -- The account each billed gross amount is credited to: fee income for tuition, a
    -- pass-through collection liability for agreed collections (checked by the service).
    account_id       bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, fee_type_id),
    UNIQUE (school_id, code),
    FOREIGN KEY (school_id, account_id) REFERENCES accounts
);

-- What a fee costs per month for a school year (named by the year it starts) and for whom:
-- the whole school, a grade, a student category or a class. The most specific scope wins.
CREATE TABLE fee_schedules (
    school_id        bigint NOT NULL,
    schedule_id      bigint GENERATED ALWAYS AS IDENTITY,
    fee_type_id      bigint NOT NULL,
    school_year      integer NOT NULL CHECK (school_year BETWEEN 2000 AND 2999),
    scope            text NOT NULL CHECK (scope IN ('school', 'grade', 'category', 'class')),
    -- '' for the whole school, the grade's digits, the category or the class name.
    scope_value      text NOT NULL CHECK (length(scope_value) <= 32),
    monthly_amount   bigint NOT NULL CHECK (monthly_amount BETWEEN 0 AND 1000000000),
    -- Calendar month numbers billed (9 = September ...), at most 9 for tuition outside continuing education.
    billable_months  smallint[] NOT NULL CHECK (cardinality(billable_months) BETWEEN 1 AND 12
                                                AND billable_months <@ ARRAY[1,2,3,4,5,6,7,8,9,10,11,12]::smallint[]),
    due_day          smallint NOT NULL CHECK (due_day BETWEEN 1 AND 28),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, schedule_id),
    UNIQUE (school_id, fee_type_id, school_year, scope, scope_value),
    FOREIGN KEY (school_id, fee_type_id) REFERENCES fee_types,
    CHECK ((scope = 'school') = (scope_value = ''))
);

-- Discounts and exemptions of one student: a percentage (basis points; 10000 = exempt) or a fixed
-- amount per month, for one fee type or all, with the policy reason, for a range of months.
CREATE TABLE student_discounts (
    school_id        bigint NOT NULL,
    discount_id      bigint GENERATED ALWAYS AS IDENTITY,
    student_id       bigint NOT NULL,
    fee_type_id      bigint,
    basis_points     integer CHECK (basis_points BETWEEN 1 AND 10000),
    fixed_amount     bigint CHECK (fixed_amount BETWEEN 1 AND 1000000000),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    valid_from       date NOT NULL CHECK (extract(day FROM valid_from) = 1),
    valid_through    date CHECK (extract(day FROM valid_through) = 1 AND valid_through >= valid_from),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, discount_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    FOREIGN KEY (school_id, fee_type_id) REFERENCES fee_types,
    CHECK ((basis_points IS NULL) <> (fixed_amount IS NULL))
);
CREATE INDEX student_discounts_by_student ON student_discounts (school_id, student_id);

CREATE TABLE invoices (
    school_id        bigint NOT NULL,
    invoice_id       bigint NOT NULL,
    school_year      integer NOT NULL CHECK (school_year BETWEEN 2000 AND 2999),
    -- Gapless per school and school year (billing_counters 'invoice_number').
    number           integer NOT NULL CHECK (number >= 1),
    student_id       bigint NOT NULL,
    family_id        bigint,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    issued_on        date NOT NULL,
    due_date         date NOT NULL,
    payment_code     text NOT NULL,
    -- The student as they were when invoiced: later changes never alter an issued invoice.
    student_code     text NOT NULL,
    student_name     text NOT NULL,
    class_name       text NOT NULL,
    gross            bigint NOT NULL CHECK (gross >= 0),
    discount         bigint NOT NULL CHECK (discount >= 0),
    total            bigint NOT NULL CHECK (total >= 0 AND total = gross - discount),
    receivable_account_id bigint NOT NULL,
    entry_id         bigint NOT NULL,
    -- Mirrors the reversal of entry_id (set in the voiding transaction), for the unique index only.
    void_entry_id    bigint,
    void_reason      text CHECK (length(void_reason) BETWEEN 1 AND 200),
    issued_by        text NOT NULL CHECK (length(issued_by) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, invoice_id),
    UNIQUE (school_id, school_year, number),
    UNIQUE (school_id, payment_code),
    UNIQUE (school_id, entry_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    FOREIGN KEY (school_id, family_id) REFERENCES families,
    FOREIGN KEY (school_id, receivable_account_id) REFERENCES accounts,
    FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries,
    FOREIGN KEY (school_id, void_entry_id) REFERENCES journal_entries,
    CHECK ((void_entry_id IS NULL) = (void_reason IS NULL))
);
CREATE SEQUENCE invoices_invoice_id_seq AS bigint OWNED BY invoices.invoice_id;
ALTER TABLE invoices ALTER COLUMN invoice_id SET DEFAULT nextval('invoices_invoice_id_seq');
-- One live invoice per student and month: two concurrent issuing runs cannot both bill a student.
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (school_id, student_id, period) WHERE void_entry_id IS NULL;
CREATE INDEX invoices_by_period ON invoices (school_id, period, class_name);
CREATE INDEX invoices_by_student ON invoices (school_id, student_id, due_date);

CREATE TABLE invoice_lines (
    school_id        bigint NOT NULL,
    invoice_id       bigint NOT NULL,
    line             smallint NOT NULL CHECK (line BETWEEN 1 AND 100),
    fee_type_id      bigint NOT NULL,
    schedule_id      bigint NOT NULL,
    gross            bigint NOT NULL CHECK (gross > 0),
    discount         bigint NOT NULL CHECK (discount BETWEEN 0 AND gross),
    net              bigint NOT NULL CHECK (net = gross - discount),
    discount_reason  text,
    PRIMARY KEY (school_id, invoice_id, line),
    FOREIGN KEY (school_id, invoice_id) REFERENCES invoices,
    FOREIGN KEY (school_id, fee_type_id) REFERENCES fee_types,
    FOREIGN KEY (school_id, schedule_id) REFERENCES fee_schedules
);

-- One receipt per student paid by one payment. Numbers are gapless per school and school year.
CREATE TABLE receipts (
    school_id        bigint NOT NULL,
    receipt_id       bigint GENERATED ALWAYS AS IDENTITY,
    school_year      integer NOT NULL CHECK (school_year BETWEEN 2000 AND 2999),
    number           integer NOT NULL CHECK (number >= 1),
    payment_key      text NOT NULL CHECK (length(payment_key) BETWEEN 1 AND 150),
    student_id       bigint NOT NULL,
    payer_name       text NOT NULL CHECK (length(payer_name) BETWEEN 1 AND 100),
    method           text NOT NULL CHECK (method IN ('cash', 'bank')),
    bank_transaction_id bigint,
    bank_reference   text CHECK (length(bank_reference) BETWEEN 1 AND 100),
    amount           bigint NOT NULL CHECK (amount > 0),
    received_on      date NOT NULL,
    recorded_by      text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, receipt_id),
    UNIQUE (school_id, school_year, number),
    UNIQUE (school_id, payment_key, student_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    CHECK ((method = 'bank') = (bank_transaction_id IS NOT NULL))
);
CREATE INDEX receipts_by_student ON receipts (school_id, student_id);
CREATE INDEX receipts_by_date ON receipts (school_id, received_on);

-- Money applied to an invoice (invoice_id set) or kept as credit (invoice_id NULL), one ledger
-- entry each, with the rule and explanation that decided it. Unapplying reverses the entry.
CREATE TABLE payment_applications (
    school_id        bigint NOT NULL,
    application_id   bigint GENERATED ALWAYS AS IDENTITY,
    payment_key      text NOT NULL CHECK (length(payment_key) BETWEEN 1 AND 150),
    ordinal          smallint NOT NULL CHECK (ordinal BETWEEN 1 AND 1000),
    source           text NOT NULL CHECK (source IN ('cash', 'bank_transaction', 'family_credit')),
    bank_transaction_id bigint,
    student_id       bigint NOT NULL,
    family_id        bigint,
    invoice_id       bigint,
    amount           bigint NOT NULL CHECK (amount > 0),
    entry_id         bigint NOT NULL,
    receipt_id       bigint,
    rule             text NOT NULL CHECK (length(rule) BETWEEN 1 AND 64),
    explanation      text NOT NULL CHECK (length(explanation) BETWEEN 1 AND 1000),
    -- Mirrors the reversal of entry_id, set in the unapplying transaction.
    unapply_entry_id bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, application_id),
    UNIQUE (school_id, payment_key, ordinal),
    UNIQUE (school_id, entry_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    FOREIGN KEY (school_id, family_id) REFERENCES families,
    FOREIGN KEY (school_id, invoice_id) REFERENCES invoices,
    FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries,
    FOREIGN KEY (school_id, receipt_id) REFERENCES receipts,
    FOREIGN KEY (school_id, unapply_entry_id) REFERENCES journal_entries,
    CHECK ((source = 'bank_transaction') = (bank_transaction_id IS NOT NULL)),
    CHECK ((source = 'family_credit') = (receipt_id IS NULL))
);
CREATE INDEX payment_applications_by_invoice ON payment_applications (school_id, invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX payment_applications_by_receipt ON payment_applications (school_id, receipt_id) WHERE receipt_id IS NOT NULL;
CREATE INDEX payment_applications_by_bank_transaction ON payment_applications (school_id, bank_transaction_id)
    WHERE bank_transaction_id IS NOT NULL;
