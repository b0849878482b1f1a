-- The single-column CHECK rules of the tables every callback and payment-notice batch writes, moved
-- into domain types, refusing exactly what they refused (docs/ledger.md "Column rules as domains";
-- docs/callbacks.md §6, "Tenth round: constraints prepared once").
--
-- Why: PostgreSQL 15 builds a table's CHECK constraints from their stored text (parse tree read back,
-- expression planned, executor state) for every statement that inserts into or updates the table;
-- a prepared statement does not keep them. A batch's ~8 statements built ~50 of them each time. A
-- domain's constraints are planned once per session by the type cache; a statement only sets up
-- their evaluation. bench/checks.sh measures both side by side.
--
-- What stays the same: each domain carries the table constraint's rule under the same constraint
-- name, so a violation is still SQLSTATE 23514 naming that constraint; a NULL still passes (NOT NULL
-- stays on the columns); the values already stored are checked again when the column changes type.
-- One domain per column: the rule has one owner, and `CallbackDoorTests` maps each constraint to the
-- door rule of the column it bounds. Rules comparing two columns cannot be domains and stay CHECKs.
-- varchar(n) was measured too: no cheaper than a domain for a length bound, and it would refuse
-- with a different SQLSTATE (22001) and no constraint name.

-- Bank transactions: one row per callback or notice, written by IncomingBatch.
CREATE DOMAIN bank_transactions_origin AS text
    CONSTRAINT bank_transactions_origin_check CHECK (VALUE IN ('callback', 'statement'));
CREATE DOMAIN bank_transactions_provider_transaction_id AS text
    CONSTRAINT bank_transactions_provider_transaction_id_check CHECK (length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN bank_transactions_direction AS text
    CONSTRAINT bank_transactions_direction_check CHECK (VALUE IN ('in', 'out'));
CREATE DOMAIN bank_transactions_amount AS bigint
    CONSTRAINT bank_transactions_amount_check CHECK (VALUE > 0 AND VALUE <= 1000000000000000);
CREATE DOMAIN bank_transactions_memo AS text
    CONSTRAINT bank_transactions_memo_check CHECK (length(VALUE) <= 2000);
CREATE DOMAIN bank_transactions_payer_name AS text
    CONSTRAINT bank_transactions_payer_name_check CHECK (length(VALUE) <= 200);
CREATE DOMAIN bank_transactions_payer_account AS text
    CONSTRAINT bank_transactions_payer_account_check CHECK (length(VALUE) <= 64);
CREATE DOMAIN bank_transactions_payer_bank AS text
    CONSTRAINT bank_transactions_payer_bank_check CHECK (length(VALUE) <= 100);
CREATE DOMAIN bank_transactions_virtual_account AS text
    CONSTRAINT bank_transactions_virtual_account_check CHECK (length(VALUE) <= 40);
CREATE DOMAIN bank_transactions_bank_reference AS text
    CONSTRAINT bank_transactions_bank_reference_check CHECK (length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN bank_transactions_status AS text
    CONSTRAINT bank_transactions_status_check CHECK (VALUE IN ('provisional', 'confirmed'));
CREATE DOMAIN bank_transactions_disposition AS text
    CONSTRAINT bank_transactions_disposition_check CHECK (VALUE IN ('refund_due', 'not_tuition'));
ALTER TABLE bank_transactions
    DROP CONSTRAINT bank_transactions_origin_check,
    DROP CONSTRAINT bank_transactions_provider_transaction_id_check,
    DROP CONSTRAINT bank_transactions_direction_check,
    DROP CONSTRAINT bank_transactions_amount_check,
    DROP CONSTRAINT bank_transactions_memo_check,
    DROP CONSTRAINT bank_transactions_payer_name_check,
    DROP CONSTRAINT bank_transactions_payer_account_check,
    DROP CONSTRAINT bank_transactions_payer_bank_check,
    DROP CONSTRAINT bank_transactions_virtual_account_check,
    DROP CONSTRAINT bank_transactions_bank_reference_check,
    DROP CONSTRAINT bank_transactions_status_check,
    DROP CONSTRAINT bank_transactions_disposition_check,
    ALTER COLUMN origin TYPE bank_transactions_origin,
    ALTER COLUMN provider_transaction_id TYPE bank_transactions_provider_transaction_id,
    ALTER COLUMN direction TYPE bank_transactions_direction,
    ALTER COLUMN amount TYPE bank_transactions_amount,
    ALTER COLUMN memo TYPE bank_transactions_memo,
    ALTER COLUMN payer_name TYPE bank_transactions_payer_name,
    ALTER COLUMN payer_account TYPE bank_transactions_payer_account,
    ALTER COLUMN payer_bank TYPE bank_transactions_payer_bank,
    ALTER COLUMN virtual_account TYPE bank_transactions_virtual_account,
    ALTER COLUMN bank_reference TYPE bank_transactions_bank_reference,
    ALTER COLUMN status TYPE bank_transactions_status,
    ALTER COLUMN disposition TYPE bank_transactions_disposition;

-- Callback deliveries: the audit row of every delivery.
CREATE DOMAIN callback_deliveries_provider AS text
    CONSTRAINT callback_deliveries_provider_check CHECK (length(VALUE) BETWEEN 1 AND 32);
CREATE DOMAIN callback_deliveries_request_id AS text
    CONSTRAINT callback_deliveries_request_id_check CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN callback_deliveries_method AS text
    CONSTRAINT callback_deliveries_method_check CHECK (length(VALUE) BETWEEN 1 AND 10);
CREATE DOMAIN callback_deliveries_query AS text
    CONSTRAINT callback_deliveries_query_check CHECK (length(VALUE) <= 16384);
CREATE DOMAIN callback_deliveries_body AS bytea
    CONSTRAINT callback_deliveries_body_check CHECK (length(VALUE) <= 65536);
CREATE DOMAIN callback_deliveries_body_bytes AS integer
    CONSTRAINT callback_deliveries_body_bytes_check CHECK (VALUE BETWEEN 0 AND 65536);
CREATE DOMAIN callback_deliveries_body_sha256 AS bytea
    CONSTRAINT callback_deliveries_body_sha256_check CHECK (length(VALUE) = 32);
CREATE DOMAIN callback_deliveries_reason AS text
    CONSTRAINT callback_deliveries_reason_check CHECK (length(VALUE) <= 1000);
CREATE DOMAIN callback_deliveries_verdict AS text
    CONSTRAINT callback_deliveries_verdict_check CHECK (VALUE IN ('accepted', 'duplicate', 'refused_signature', 'malformed',
                                                                   'unknown_account', 'not_incoming', 'invalid_amount'));
ALTER TABLE callback_deliveries
    DROP CONSTRAINT callback_deliveries_provider_check,
    DROP CONSTRAINT callback_deliveries_request_id_check,
    DROP CONSTRAINT callback_deliveries_method_check,
    DROP CONSTRAINT callback_deliveries_query_check,
    DROP CONSTRAINT callback_deliveries_body_check,
    DROP CONSTRAINT callback_deliveries_body_bytes_check,
    DROP CONSTRAINT callback_deliveries_body_sha256_check,
    DROP CONSTRAINT callback_deliveries_reason_check,
    DROP CONSTRAINT callback_deliveries_verdict_check,
    ALTER COLUMN provider TYPE callback_deliveries_provider,
    ALTER COLUMN request_id TYPE callback_deliveries_request_id,
    ALTER COLUMN method TYPE callback_deliveries_method,
    ALTER COLUMN query TYPE callback_deliveries_query,
    ALTER COLUMN body TYPE callback_deliveries_body,
    ALTER COLUMN body_bytes TYPE callback_deliveries_body_bytes,
    ALTER COLUMN body_sha256 TYPE callback_deliveries_body_sha256,
    ALTER COLUMN reason TYPE callback_deliveries_reason,
    ALTER COLUMN verdict TYPE callback_deliveries_verdict;

-- Journal entries and postings: two entries and four postings per paid callback.
CREATE DOMAIN journal_entries_description AS text
    CONSTRAINT journal_entries_description_check CHECK (length(VALUE) BETWEEN 1 AND 500);
CREATE DOMAIN journal_entries_effective_date AS date
    CONSTRAINT journal_entries_effective_date_check CHECK (VALUE >= DATE '2000-01-01' AND VALUE <= DATE '2999-12-31');
CREATE DOMAIN journal_entries_idempotency_key AS text
    CONSTRAINT journal_entries_idempotency_key_check CHECK (length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN journal_entries_kind AS text
    CONSTRAINT journal_entries_kind_check CHECK (VALUE IN ('opening_balance', 'invoice', 'payment_received', 'payment_applied',
                                                           'cash_receipt', 'credit_applied', 'refund', 'write_off', 'discount',
                                                           'reclassification', 'bank_fee', 'reversal', 'adjustment'));
CREATE DOMAIN journal_entries_posting_count AS integer
    CONSTRAINT journal_entries_posting_count_check CHECK (VALUE BETWEEN 2 AND 1000);
CREATE DOMAIN journal_entries_request_hash AS bytea
    CONSTRAINT journal_entries_request_hash_check CHECK (length(VALUE) = 32);
ALTER TABLE journal_entries
    DROP CONSTRAINT journal_entries_description_check,
    DROP CONSTRAINT journal_entries_effective_date_check,
    DROP CONSTRAINT journal_entries_idempotency_key_check,
    DROP CONSTRAINT journal_entries_kind_check,
    DROP CONSTRAINT journal_entries_posting_count_check,
    DROP CONSTRAINT journal_entries_request_hash_check,
    ALTER COLUMN description TYPE journal_entries_description,
    ALTER COLUMN effective_date TYPE journal_entries_effective_date,
    ALTER COLUMN idempotency_key TYPE journal_entries_idempotency_key,
    ALTER COLUMN kind TYPE journal_entries_kind,
    ALTER COLUMN posting_count TYPE journal_entries_posting_count,
    ALTER COLUMN request_hash TYPE journal_entries_request_hash;

CREATE DOMAIN postings_amount AS bigint
    CONSTRAINT postings_amount_check CHECK (VALUE <> 0 AND (VALUE >= -1000000000000000 AND VALUE <= 1000000000000000));
CREATE DOMAIN postings_line AS smallint
    CONSTRAINT postings_line_check CHECK (VALUE BETWEEN 1 AND 1000);
ALTER TABLE postings
    DROP CONSTRAINT postings_amount_check,
    DROP CONSTRAINT postings_line_check,
    ALTER COLUMN amount TYPE postings_amount,
    ALTER COLUMN line TYPE postings_line;

-- The balances the postings trigger upserts, and the counters a batch advances.
CREATE DOMAIN account_balances_shard AS smallint
    CONSTRAINT account_balances_shard_check CHECK (VALUE >= 0 AND VALUE < 16);
ALTER TABLE account_balances
    DROP CONSTRAINT account_balances_shard_check,
    ALTER COLUMN shard TYPE account_balances_shard;

CREATE DOMAIN dimension_balances_dimension AS text
    CONSTRAINT dimension_balances_dimension_check CHECK (VALUE IN ('student', 'family', 'invoice', 'bank_transaction'));
ALTER TABLE dimension_balances
    DROP CONSTRAINT dimension_balances_dimension_check,
    ALTER COLUMN dimension TYPE dimension_balances_dimension;

CREATE DOMAIN billing_counters_counter AS text
    CONSTRAINT billing_counters_counter_check CHECK (VALUE IN ('student_serial', 'invoice_serial', 'invoice_number', 'receipt_number'));
CREATE DOMAIN billing_counters_last_value AS bigint
    CONSTRAINT billing_counters_last_value_check CHECK (VALUE >= 0);
CREATE DOMAIN billing_counters_school_year AS integer
    CONSTRAINT billing_counters_school_year_check CHECK (VALUE = 0 OR (VALUE >= 2000 AND VALUE <= 2999));
ALTER TABLE billing_counters
    DROP CONSTRAINT billing_counters_counter_check,
    DROP CONSTRAINT billing_counters_last_value_check,
    DROP CONSTRAINT billing_counters_school_year_check,
    ALTER COLUMN counter TYPE billing_counters_counter,
    ALTER COLUMN last_value TYPE billing_counters_last_value,
    ALTER COLUMN school_year TYPE billing_counters_school_year;

-- Receipts and payment applications: one of each per paid callback or notice.
CREATE DOMAIN receipts_amount AS bigint
    CONSTRAINT receipts_amount_check CHECK (VALUE > 0)
    CONSTRAINT receipts_amount_bounded CHECK (VALUE <= 1000000000000000);
CREATE DOMAIN receipts_bank_reference AS text
    CONSTRAINT receipts_bank_reference_check CHECK (length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN receipts_method AS text
    CONSTRAINT receipts_method_check CHECK (VALUE IN ('cash', 'bank'));
CREATE DOMAIN receipts_number AS integer
    CONSTRAINT receipts_number_check CHECK (VALUE >= 1);
CREATE DOMAIN receipts_payer_name AS text
    CONSTRAINT receipts_payer_name_check CHECK (length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN receipts_payment_key AS text
    CONSTRAINT receipts_payment_key_check CHECK (length(VALUE) BETWEEN 1 AND 150);
CREATE DOMAIN receipts_recorded_by AS text
    CONSTRAINT receipts_recorded_by_check CHECK (length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN receipts_school_year AS integer
    CONSTRAINT receipts_school_year_check CHECK (VALUE BETWEEN 2000 AND 2999);
ALTER TABLE receipts
    DROP CONSTRAINT receipts_amount_check,
    DROP CONSTRAINT receipts_amount_bounded,
    DROP CONSTRAINT receipts_bank_reference_check,
    DROP CONSTRAINT receipts_method_check,
    DROP CONSTRAINT receipts_number_check,
    DROP CONSTRAINT receipts_payer_name_check,
    DROP CONSTRAINT receipts_payment_key_check,
    DROP CONSTRAINT receipts_recorded_by_check,
    DROP CONSTRAINT receipts_school_year_check,
    ALTER COLUMN amount TYPE receipts_amount,
    ALTER COLUMN bank_reference TYPE receipts_bank_reference,
    ALTER COLUMN method TYPE receipts_method,
    ALTER COLUMN number TYPE receipts_number,
    ALTER COLUMN payer_name TYPE receipts_payer_name,
    ALTER COLUMN payment_key TYPE receipts_payment_key,
    ALTER COLUMN recorded_by TYPE receipts_recorded_by,
    ALTER COLUMN school_year TYPE receipts_school_year;

CREATE DOMAIN payment_applications_amount AS bigint
    CONSTRAINT payment_applications_amount_check CHECK (VALUE > 0)
    CONSTRAINT payment_applications_amount_bounded CHECK (VALUE <= 1000000000000000);
CREATE DOMAIN payment_applications_explanation AS text
    CONSTRAINT payment_applications_explanation_check CHECK (length(VALUE) BETWEEN 1 AND 1000);
CREATE DOMAIN payment_applications_ordinal AS smallint
    CONSTRAINT payment_applications_ordinal_check CHECK (VALUE BETWEEN 1 AND 1000);
CREATE DOMAIN payment_applications_payment_key AS text
    CONSTRAINT payment_applications_payment_key_check CHECK (length(VALUE) BETWEEN 1 AND 150);
CREATE DOMAIN payment_applications_rule AS text
    CONSTRAINT payment_applications_rule_check CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN payment_applications_source AS text
    CONSTRAINT payment_applications_source_check CHECK (VALUE IN ('cash', 'bank_transaction', 'family_credit'));
ALTER TABLE payment_applications
    DROP CONSTRAINT payment_applications_amount_check,
    DROP CONSTRAINT payment_applications_amount_bounded,
    DROP CONSTRAINT payment_applications_explanation_check,
    DROP CONSTRAINT payment_applications_ordinal_check,
    DROP CONSTRAINT payment_applications_payment_key_check,
    DROP CONSTRAINT payment_applications_rule_check,
    DROP CONSTRAINT payment_applications_source_check,
    ALTER COLUMN amount TYPE payment_applications_amount,
    ALTER COLUMN explanation TYPE payment_applications_explanation,
    ALTER COLUMN ordinal TYPE payment_applications_ordinal,
    ALTER COLUMN payment_key TYPE payment_applications_payment_key,
    ALTER COLUMN rule TYPE payment_applications_rule,
    ALTER COLUMN source TYPE payment_applications_source;

-- Collection payments: one row per payment notice.
CREATE DOMAIN collection_payments_amount AS bigint
    CONSTRAINT collection_payments_amount_check CHECK (VALUE > 0 AND VALUE <= 1000000000000000);
CREATE DOMAIN collection_payments_applied AS bigint
    CONSTRAINT collection_payments_applied_check CHECK (VALUE >= 0);
CREATE DOMAIN collection_payments_credited AS bigint
    CONSTRAINT collection_payments_credited_check CHECK (VALUE >= 0);
CREATE DOMAIN collection_payments_bank_reference AS text
    CONSTRAINT collection_payments_bank_reference_check CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN collection_payments_customer_code AS text
    CONSTRAINT collection_payments_customer_code_check CHECK (length(VALUE) <= 40);
CREATE DOMAIN collection_payments_exception AS text
    CONSTRAINT collection_payments_exception_check CHECK (VALUE IN ('overpaid', 'underpaid', 'items_paid_elsewhere', 'unidentified',
                                                                    'application_refused', 'bank_only'));
CREATE DOMAIN collection_payments_provider AS text
    CONSTRAINT collection_payments_provider_check CHECK (VALUE ~ '^[a-z][a-z0-9-]{1,31}$');
CREATE DOMAIN collection_payments_reversal_reference AS text
    CONSTRAINT collection_payments_reversal_reference_check CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN collection_payments_source AS text
    CONSTRAINT collection_payments_source_check CHECK (VALUE IN ('notice', 'reconciliation_file'));
ALTER TABLE collection_payments
    DROP CONSTRAINT collection_payments_amount_check,
    DROP CONSTRAINT collection_payments_applied_check,
    DROP CONSTRAINT collection_payments_credited_check,
    DROP CONSTRAINT collection_payments_bank_reference_check,
    DROP CONSTRAINT collection_payments_customer_code_check,
    DROP CONSTRAINT collection_payments_exception_check,
    DROP CONSTRAINT collection_payments_provider_check,
    DROP CONSTRAINT collection_payments_reversal_reference_check,
    DROP CONSTRAINT collection_payments_source_check,
    ALTER COLUMN amount TYPE collection_payments_amount,
    ALTER COLUMN applied TYPE collection_payments_applied,
    ALTER COLUMN credited TYPE collection_payments_credited,
    ALTER COLUMN bank_reference TYPE collection_payments_bank_reference,
    ALTER COLUMN customer_code TYPE collection_payments_customer_code,
    ALTER COLUMN exception TYPE collection_payments_exception,
    ALTER COLUMN provider TYPE collection_payments_provider,
    ALTER COLUMN reversal_reference TYPE collection_payments_reversal_reference,
    ALTER COLUMN source TYPE collection_payments_source;
