-- Every callback asks whether a statement line already booked its money (LateCallbacks):
--
-- first, whether any statement line of its bank account, direction and amount was booked within the
-- confirmation window (LateCallbacks.mayHaveStatementLine). One probe of this index answers it; the
-- date index alone reads every transaction of the account in the window, which on a busy day is all
-- of them.
CREATE INDEX bank_transactions_statement_probe ON bank_transactions (school_id, bank_account_id, direction, amount, booked_on)
    WHERE origin = 'statement';

-- then, when one may have, which of those lines another callback already claimed (its delivery
-- audited as a duplicate pointing at the line): without this index, every delivery the school ever
-- had is read.
CREATE INDEX callback_deliveries_claims ON callback_deliveries (school_id, bank_transaction_id)
    WHERE verdict = 'duplicate';
