-- Issue 15's remaining gaps (docs/accounting.md, docs/billing.md):
-- 1. separate accounts for service revenue, payments received in advance, money in transit, interest income
--    and other payables: five new purposes, opened for every existing school with the codes of the chart file
--    (an existing school that already uses one of these codes gets the code with '.1' appended, so nothing
--    it recorded changes);
-- 2. fee kind 'service' (the school's own revenue, credited to service revenue);
-- 3. a fixed state share per pupil per month (in đồng) beside the percentage one;
-- 4. the absence credit granted to a pupil who leaves.

ALTER TABLE accounts DROP CONSTRAINT accounts_purpose_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_purpose_check CHECK (purpose IN ('bank', 'cash', 'receivable', 'fee_income', 'collection',
    'suspense', 'family_credit', 'refunds_payable', 'discounts', 'write_off', 'bank_fees', 'other', 'budget_receivable',
    'service_revenue', 'advances', 'in_transit', 'interest_income', 'other_payables'));

INSERT INTO accounts (school_id, code, name, type, purpose)
SELECT s.school_id,
       CASE WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.school_id = s.school_id AND a.code = v.code) THEN v.code || '.1' ELSE v.code END,
       v.name, v.type, v.purpose
FROM schools s
CROSS JOIN (VALUES
    ('1131', 'Tiền đang chuyển (cổng thanh toán chưa quyết toán về tài khoản)', 'asset', 'in_transit'),
    ('3383', 'Tiền phụ huynh nộp trước (doanh thu nhận trước)', 'liability', 'advances'),
    ('3388.KHAC', 'Phải trả khác', 'liability', 'other_payables'),
    ('5151', 'Lãi tiền gửi ngân hàng', 'income', 'interest_income'),
    ('5311', 'Doanh thu dịch vụ (bán trú, nước uống, dịch vụ khác)', 'income', 'service_revenue')
) AS v (code, name, type, purpose)
WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.school_id = s.school_id AND a.purpose = v.purpose);

ALTER TABLE fee_types DROP CONSTRAINT fee_types_kind_check;
ALTER TABLE fee_types ADD CONSTRAINT fee_types_kind_check CHECK (kind IN ('tuition', 'agreed_collection', 'service'));

-- A fixed state share: the budget pays this many đồng of each month's line (the province's support per pupil
-- per month), rounded and capped as PayerSplit states. A schedule has a percentage share or a fixed one, not both.
ALTER TABLE fee_schedules
    ADD COLUMN state_share_dong bigint CHECK (state_share_dong BETWEEN 1 AND 1000000000),
    ADD CONSTRAINT fee_schedules_one_state_share CHECK (state_share_basis_points IS NULL OR state_share_dong IS NULL);

-- Absence credit granted when a pupil leaves (LeavingCredits, the one owner): per per-day fee, the absent days
-- still to credit and the school days not served after the leaving date, valued at the last billed line's day
-- figures and posted as one ledger entry with its reason. The issuer subtracts these days from what it credits.
CREATE TABLE leaving_credits (
    school_id        bigint NOT NULL REFERENCES schools,
    leaving_credit_id bigint GENERATED ALWAYS AS IDENTITY,
    student_id       bigint NOT NULL,
    fee_type_id      bigint NOT NULL,
    withdrawn_on     date NOT NULL,
    absent_days      integer NOT NULL CHECK (absent_days BETWEEN 0 AND 400),
    unserved_days    integer NOT NULL CHECK (unserved_days BETWEEN 0 AND 31),
    day_rate         bigint NOT NULL CHECK (day_rate BETWEEN 1 AND 1000000000),
    family_amount    bigint NOT NULL CHECK (family_amount BETWEEN 0 AND 1000000000000),
    state_amount     bigint NOT NULL CHECK (state_amount BETWEEN 0 AND 1000000000000),
    discount_amount  bigint NOT NULL CHECK (discount_amount BETWEEN 0 AND 1000000000000),
    entry_id         bigint NOT NULL,
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    recorded_by      text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, leaving_credit_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students,
    FOREIGN KEY (school_id, fee_type_id) REFERENCES fee_types,
    FOREIGN KEY (school_id, entry_id) REFERENCES journal_entries,
    CHECK (absent_days + unserved_days >= 1),
    CHECK (family_amount + state_amount + discount_amount = (absent_days + unserved_days) * day_rate)
);
CREATE INDEX leaving_credits_by_student ON leaving_credits (school_id, student_id, fee_type_id);
