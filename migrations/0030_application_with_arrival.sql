-- A payment that applies a new bank transaction's whole amount in one application is posted as ONE
-- entry with the transaction's booking: Dr bank / Cr what it pays (kind payment_received, the
-- booking's kind), where there were two (Dr bank / Cr suspense, then Dr suspense / Cr receivable).
-- Unapplying such an application must not undo the money's arrival, so it is not the reversal of
-- its entry but an entry moving the money from what it paid back to the bank transaction's
-- suspense (kind reclassification); the arrival and that entry together are the booking alone.
-- 0010's history rule for payment applications accepts that entry too, checked posting by posting.

-- True when `undoing` moves application `merged`'s money back to suspense: `merged` is an arrival
-- with its application (payment_received, of `transaction`, one credit of `amount`); `undoing` is a
-- reclassification of the same transaction with exactly two postings, the negation of that credit
-- (same account and dimensions) and a credit of the school's suspense on the transaction.
CREATE FUNCTION ledger_moves_back_to_suspense(p_school bigint, p_merged bigint, p_undoing bigint, p_transaction bigint, p_amount bigint)
    RETURNS boolean LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce((
        SELECT m.kind = 'payment_received' AND m.bank_transaction_id = p_transaction
               AND u.kind = 'reclassification' AND u.bank_transaction_id = p_transaction
               AND (SELECT count(*) FROM postings p WHERE p.school_id = p_school AND p.entry_id = p_undoing) = 2
               AND EXISTS (SELECT 1 FROM postings c
                           JOIN postings d ON d.school_id = c.school_id AND d.entry_id = p_undoing AND d.account_id = c.account_id
                                          AND d.amount = -c.amount
                                          AND (d.student_id, d.family_id, d.invoice_id, d.bank_transaction_id)
                                              IS NOT DISTINCT FROM (c.student_id, c.family_id, c.invoice_id, c.bank_transaction_id)
                           WHERE c.school_id = p_school AND c.entry_id = p_merged AND c.amount = -p_amount)
               AND EXISTS (SELECT 1 FROM postings s
                           JOIN accounts a ON a.school_id = s.school_id AND a.account_id = s.account_id AND a.purpose = 'suspense'
                           WHERE s.school_id = p_school AND s.entry_id = p_undoing AND s.bank_transaction_id = p_transaction
                             AND s.amount = -p_amount)
        FROM journal_entries m, journal_entries u
        WHERE m.school_id = p_school AND m.entry_id = p_merged AND u.school_id = p_school AND u.entry_id = p_undoing), false)
$$;

CREATE OR REPLACE FUNCTION payment_application_changed() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.unapply_entry_id IS NOT NULL
       OR to_jsonb(NEW) - 'unapply_entry_id' IS DISTINCT FROM to_jsonb(OLD) - 'unapply_entry_id'
       OR NOT (EXISTS (SELECT 1 FROM journal_entries r WHERE r.school_id = NEW.school_id AND r.entry_id = NEW.unapply_entry_id
                                                         AND r.reverses_entry_id = NEW.entry_id)
               OR ledger_moves_back_to_suspense(NEW.school_id, NEW.entry_id, NEW.unapply_entry_id, NEW.bank_transaction_id, NEW.amount)) THEN
        RAISE EXCEPTION 'a payment application is history: only its unapplying (the reversal of its entry, or for an entry that is also the money''s arrival the move back to suspense) may be recorded, once'
            USING ERRCODE = 'TU003';
    END IF;
    RETURN NEW;
END $$;
