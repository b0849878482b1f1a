-- What the rows a callback or a payment notice writes cost the database, cut without giving up a
-- rule (docs/callbacks.md §6, "Seventh round: the database's CPU per request"; docs/ledger.md).
-- Every change here removes work done for nobody: an index no statement reads, a foreign-key check
-- whose rule the ledger's own trigger already enforces, statistics of columns no plan estimates.
--
-- Measured by bench/callbacks-where.sh (per paid callback: ~37 index entries, ~12 foreign-key
-- checks, 4 balance rows upserted, autoanalyze of every inserted table every few seconds while it
-- grows).

-- Indexes maintained on every callback that no statement reads. A delivery is found by its id
-- (audit pruning scans callback_deliveries_by_time); an entry by its id or its idempotency key (the
-- verifier reads a whole school's entries, which the primary key's school prefix serves).
DROP INDEX callback_deliveries_by_school;
DROP INDEX journal_entries_by_date;

-- An entry is reversed at most once: the rule needs only the reversals in the index, not a NULL
-- entry for every ordinary entry (two of them per paid callback). Readers probe it with
-- `reverses_entry_id = x`, which implies the index's predicate.
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_school_id_reverses_entry_id_key;
CREATE UNIQUE INDEX journal_entries_reversed_once ON journal_entries (school_id, reverses_entry_id)
    WHERE reverses_entry_id IS NOT NULL;

-- A dimension balance's account is an account of its school without a foreign-key check per new
-- row (two per paid callback, each a query and a row lock): only ledger_postings_inserted() writes
-- dimension balances (the guard refuses every other writer), it refuses a posting on an account
-- that is not of the posting's school, and it writes the same (school, account) into
-- account_balances, whose foreign key still holds the account's key in place; accounts are never
-- deleted (accounts_kept). Postings themselves rely on the same trigger check (0021).
ALTER TABLE dimension_balances DROP CONSTRAINT dimension_balances_school_id_account_id_fkey;

-- Balance rows are updated by nearly every callback (a student's, an invoice's, a family's): room
-- left on each page keeps those updates HOT (no new index entries; the page prunes itself) instead
-- of moving the row to another page with two new index entries.
ALTER TABLE dimension_balances SET (fillfactor = 80);

-- Autoanalyze reads a sample of every inserted table each time it grows by a tenth, and computes
-- statistics for each column. These columns are never compared, joined, grouped or sorted on by any
-- statement, so their statistics estimate nothing; the wide ones (bodies, headers, memos, decisions)
-- were most of the analyze's work.
ALTER TABLE callback_deliveries
    ALTER COLUMN headers SET STATISTICS 0, ALTER COLUMN body SET STATISTICS 0, ALTER COLUMN query SET STATISTICS 0,
    ALTER COLUMN body_sha256 SET STATISTICS 0, ALTER COLUMN reason SET STATISTICS 0, ALTER COLUMN request_id SET STATISTICS 0,
    ALTER COLUMN method SET STATISTICS 0;
ALTER TABLE bank_transactions
    ALTER COLUMN match_decision SET STATISTICS 0, ALTER COLUMN memo SET STATISTICS 0, ALTER COLUMN normalized_memo SET STATISTICS 0,
    ALTER COLUMN payer_name SET STATISTICS 0, ALTER COLUMN payer_account SET STATISTICS 0, ALTER COLUMN payer_bank SET STATISTICS 0;
ALTER TABLE payment_applications ALTER COLUMN explanation SET STATISTICS 0;
ALTER TABLE receipts ALTER COLUMN payer_name SET STATISTICS 0, ALTER COLUMN recorded_by SET STATISTICS 0;
ALTER TABLE journal_entries ALTER COLUMN description SET STATISTICS 0, ALTER COLUMN request_hash SET STATISTICS 0;
