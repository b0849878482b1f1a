-- Every callback asks whether a statement line of its bank account, direction and amount, booked
-- within the confirmation window, already booked its money (LateCallbacks.mayHaveStatementLine).
-- One probe of this index answers it; the date index alone reads every transaction of the account
-- in the window, which on a busy day is all of them.
CREATE INDEX bank_transactions_statement_probe ON bank_transactions (school_id, bank_account_id, direction, amount, booked_on)
    WHERE origin = 'statement';
