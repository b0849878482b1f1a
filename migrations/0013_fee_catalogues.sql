-- Provincial fee catalogues (one per People's Council resolution): the items public schools may collect
-- and the most they may charge per unit, by school level and area class. Province data, not a school's:
-- the tables are keyed by resolution. A schedule records the resolution it was checked against, or the
-- reason it was set outside the catalogue, so every report the finance office sees can show both.
CREATE TABLE fee_catalogues (
    resolution       text PRIMARY KEY CHECK (length(resolution) BETWEEN 1 AND 500),
    adopted_on       date NOT NULL,
    province         text NOT NULL CHECK (length(province) BETWEEN 1 AND 500),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    first_school_year integer NOT NULL CHECK (first_school_year BETWEEN 2000 AND 2999),
    last_school_year integer NOT NULL CHECK (last_school_year BETWEEN first_school_year AND 2999),
    illustrative     boolean NOT NULL,
    note             text NOT NULL,
    installed_by     text NOT NULL CHECK (length(installed_by) BETWEEN 1 AND 200),
    installed_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fee_catalogue_items (
    resolution       text NOT NULL REFERENCES fee_catalogues ON DELETE CASCADE,
    code             text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,15}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    kind             text NOT NULL CHECK (kind IN ('service', 'pass_through', 'voluntary', 'tuition')),
    unit             text NOT NULL CHECK (unit IN ('month', 'day', 'term', 'year', 'once')),
    PRIMARY KEY (resolution, code)
);

-- One cap per item, school level and area class; a level without rows does not offer the item.
CREATE TABLE fee_catalogue_caps (
    resolution       text NOT NULL,
    code             text NOT NULL,
    level            text NOT NULL CHECK (level IN ('preschool', 'primary', 'lower_secondary', 'upper_secondary', 'continuing')),
    area_class       text NOT NULL CHECK (area_class IN ('urban', 'rural', 'mountainous')),
    cap              bigint NOT NULL CHECK (cap BETWEEN 0 AND 1000000000),
    PRIMARY KEY (resolution, code, level, area_class),
    FOREIGN KEY (resolution, code) REFERENCES fee_catalogue_items ON DELETE CASCADE
);

-- Either the catalogue the schedule was checked against, or why it is outside any catalogue.
ALTER TABLE fee_schedules
    ADD COLUMN catalogue_resolution text REFERENCES fee_catalogues,
    ADD COLUMN outside_catalogue_reason text CHECK (length(outside_catalogue_reason) BETWEEN 1 AND 500),
    ADD CONSTRAINT fee_schedules_catalogue_or_reason CHECK (catalogue_resolution IS NULL OR outside_catalogue_reason IS NULL);

-- Per-day items (meals, after-hours care): a schedule's rate is per month or per school day. For a per-day
-- schedule `monthly_amount` holds the day rate; the invoice line is days × rate.
ALTER TABLE fee_schedules
    ADD COLUMN rate_unit text NOT NULL DEFAULT 'month' CHECK (rate_unit IN ('month', 'day'));

-- The school days of each month a school bills per-day items for (holidays and weekends already left out).
CREATE TABLE school_calendar (
    school_id        bigint NOT NULL REFERENCES schools,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    school_days      smallint NOT NULL CHECK (school_days BETWEEN 0 AND 31),
    holidays         date[] NOT NULL DEFAULT '{}',
    updated_by       text NOT NULL CHECK (length(updated_by) BETWEEN 1 AND 200),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, period)
);

-- Days a pupil was absent in a month (from the attendance import): credited on the next invoice's per-day lines.
CREATE TABLE student_absences (
    school_id        bigint NOT NULL,
    student_id       bigint NOT NULL,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    absent_days      smallint NOT NULL CHECK (absent_days BETWEEN 0 AND 31),
    imported_by      text NOT NULL CHECK (length(imported_by) BETWEEN 1 AND 200),
    imported_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, student_id, period),
    FOREIGN KEY (school_id, student_id) REFERENCES students
);

-- A per-day line says how it was counted: days billed × day rate = gross, after crediting absent days of
-- earlier months (credited_days). Month lines leave these NULL.
ALTER TABLE invoice_lines
    ADD COLUMN quantity       integer CHECK (quantity BETWEEN 1 AND 31),
    ADD COLUMN unit_price     bigint CHECK (unit_price BETWEEN 1 AND 1000000000),
    ADD COLUMN credited_days  integer CHECK (credited_days BETWEEN 0 AND 31),
    -- The state's share of the line (e.g. BHYT's state part): a receivable from the budget, not billed to the family.
    ADD COLUMN state_share    bigint NOT NULL DEFAULT 0 CHECK (state_share >= 0),
    ADD CONSTRAINT invoice_lines_days_times_rate CHECK (
        (quantity IS NULL AND unit_price IS NULL AND credited_days IS NULL)
        OR (quantity IS NOT NULL AND unit_price IS NOT NULL AND credited_days IS NOT NULL AND gross + state_share = quantity * unit_price));

-- Voluntary and opt-in fees (clubs, extra classes) are billed only to the pupils enrolled in them.
ALTER TABLE fee_types ADD COLUMN requires_enrolment boolean NOT NULL DEFAULT false;

-- A pupil's enrolment in an opt-in fee, from one date through another (open-ended when NULL). A month
-- partly covered is billed pro rata by calendar days (docs/billing.md, "Enrolments").
CREATE TABLE fee_enrolments (
    school_id        bigint NOT NULL,
    student_id       bigint NOT NULL,
    fee_type_id      bigint NOT NULL,
    enrolled_from    date NOT NULL,
    enrolled_through date CHECK (enrolled_through >= enrolled_from),
    recorded_by      text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, student_id, fee_type_id, enrolled_from),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    FOREIGN KEY (school_id, fee_type_id) REFERENCES fee_types
);

-- State-paid shares: a schedule may have the state budget pay a share (basis points of each line, rounded
-- half up; the family pays the rest). The state's share is a receivable from the budget: a new account
-- purpose, added to every school's chart (code 1381, see docs/billing.md; the Circular 24 code is not verified).
ALTER TABLE fee_schedules
    ADD COLUMN state_share_basis_points integer CHECK (state_share_basis_points BETWEEN 1 AND 9999);
ALTER TABLE accounts DROP CONSTRAINT accounts_purpose_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_purpose_check CHECK (purpose IN ('bank', 'cash', 'receivable', 'fee_income', 'collection',
    'suspense', 'family_credit', 'refunds_payable', 'discounts', 'write_off', 'bank_fees', 'other', 'budget_receivable'));
INSERT INTO accounts (school_id, code, name, type, purpose)
SELECT school_id, '1381', 'Phải thu ngân sách nhà nước (phần nhà nước đóng)', 'asset', 'budget_receivable' FROM schools
ON CONFLICT (school_id, code) DO NOTHING;
