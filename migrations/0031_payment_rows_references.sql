-- What a callback's and a notice's rows cost the database, fourth cut (docs/callbacks.md §6,
-- "Fifteenth round"). The rows a payment writes — its receipt, its applications, a bank collection
-- notice's row, a callback delivery — named what they refer to by foreign keys: per row and
-- reference, an SPI query and a lock of the referenced row written to the WAL (7.6 per notice, 3.8
-- per callback). Two of the rows locked are shared by every payment of a school (its schools row
-- and its bank connection), so two batches in flight locked them together: a multixact each time.
--
-- Every rule still holds, enforced by PostgreSQL itself, as 0028 did for bank transactions:
--   * the references are checked once per statement for all its rows (statement triggers with a
--     transition table), refused as the foreign keys refused (23503, under their names);
--   * what the foreign keys also guaranteed, that the referenced rows stay, holds without locks:
--     students, families, invoices, receipts, bank connections and bank transactions are never
--     deleted nor re-keyed (the program never does either; now the database refuses it), as
--     schools (0028) and journal entries (0001) already were;
--   * collection_payments named its school twice (the school, and the school of its connection):
--     the connection's reference alone says it.
-- The foreign keys set only by later updates (an application's unapply entry, a notice's reversal
-- entry) are rare and stay as they are.

CREATE FUNCTION payments_refuse_referenced_row_change() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'a row of % is kept with its key: payments refer to it (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'TU003';
END $$;

CREATE TRIGGER students_kept BEFORE DELETE ON students FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER students_key_kept BEFORE UPDATE OF school_id, student_id ON students
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.student_id IS DISTINCT FROM NEW.student_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER families_kept BEFORE DELETE ON families FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER families_key_kept BEFORE UPDATE OF school_id, family_id ON families
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.family_id IS DISTINCT FROM NEW.family_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER invoices_key_kept BEFORE UPDATE OF school_id, invoice_id ON invoices
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER receipts_kept BEFORE DELETE ON receipts FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER receipts_key_kept BEFORE UPDATE OF school_id, receipt_id, student_id ON receipts
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.receipt_id IS DISTINCT FROM NEW.receipt_id
                       OR OLD.student_id IS DISTINCT FROM NEW.student_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER bank_connections_kept BEFORE DELETE ON bank_connections FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER bank_connections_key_kept BEFORE UPDATE OF school_id, connection_id ON bank_connections
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.connection_id IS DISTINCT FROM NEW.connection_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER bank_transactions_kept BEFORE DELETE ON bank_transactions FOR EACH ROW EXECUTE FUNCTION payments_refuse_referenced_row_change();
CREATE TRIGGER bank_transactions_key_kept BEFORE UPDATE OF school_id, bank_transaction_id ON bank_transactions
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.bank_transaction_id IS DISTINCT FROM NEW.bank_transaction_id)
    EXECUTE FUNCTION payments_refuse_referenced_row_change();

-- A statement's new receipts name a student of their school.
CREATE FUNCTION billing_receipts_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.receipt_id, n.student_id INTO wrong FROM written n
        WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'receipt % names student %, which is not one of school %', wrong.receipt_id, wrong.student_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'receipts_school_id_student_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receipts_inserted_references AFTER INSERT ON receipts REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION billing_receipts_references();
ALTER TABLE receipts DROP CONSTRAINT receipts_school_id_student_id_fkey;

-- A statement's new payment applications name, in their school, the invoice paid (if any), the
-- receipt (if any), the ledger entry, the student and the family (if any). Applications are
-- otherwise never changed (payment_applications_guard, 0010), so inserts are all there is to check.
CREATE FUNCTION billing_payment_applications_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.application_id,
           n.invoice_id IS NULL OR EXISTS (SELECT 1 FROM invoices i WHERE i.school_id = n.school_id AND i.invoice_id = n.invoice_id) AS invoice_known,
           n.receipt_id IS NULL OR EXISTS (SELECT 1 FROM receipts r WHERE r.school_id = n.school_id AND r.receipt_id = n.receipt_id) AS receipt_known,
           EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = n.school_id AND e.entry_id = n.entry_id) AS entry_known,
           EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id) AS student_known
        INTO wrong
        FROM written n
        WHERE (n.invoice_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.school_id = n.school_id AND i.invoice_id = n.invoice_id))
           OR (n.receipt_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.school_id = n.school_id AND r.receipt_id = n.receipt_id))
           OR NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = n.school_id AND e.entry_id = n.entry_id)
           OR NOT EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id)
           OR (n.family_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM families f WHERE f.school_id = n.school_id AND f.family_id = n.family_id))
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT wrong.invoice_known THEN
        RAISE EXCEPTION 'payment application % names an invoice that is not one of school %', wrong.application_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_invoice_id_fkey';
    ELSIF NOT wrong.receipt_known THEN
        RAISE EXCEPTION 'payment application % names a receipt that is not one of school %', wrong.application_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_receipt_id_fkey';
    ELSIF NOT wrong.entry_known THEN
        RAISE EXCEPTION 'payment application % names an entry that is not one of school %', wrong.application_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_entry_id_fkey';
    ELSIF NOT wrong.student_known THEN
        RAISE EXCEPTION 'payment application % names a student who is not one of school %', wrong.application_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_student_id_fkey';
    END IF;
    RAISE EXCEPTION 'payment application % names a family that is not one of school %', wrong.application_id, wrong.school_id
        USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_family_id_fkey';
END $$;
CREATE TRIGGER payment_applications_inserted_references AFTER INSERT ON payment_applications REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION billing_payment_applications_references();
ALTER TABLE payment_applications DROP CONSTRAINT payment_applications_school_id_invoice_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_receipt_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_entry_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_student_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_family_id_fkey;

-- A statement's collection notices (new or changed) name a bank connection and a bank transaction
-- of their school.
CREATE FUNCTION payments_collection_payments_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.payment_id, n.connection_id, n.bank_transaction_id,
           EXISTS (SELECT 1 FROM bank_connections c WHERE c.school_id = n.school_id AND c.connection_id = n.connection_id) AS connection_known
        INTO wrong
        FROM written n
        WHERE NOT EXISTS (SELECT 1 FROM bank_connections c WHERE c.school_id = n.school_id AND c.connection_id = n.connection_id)
           OR NOT EXISTS (SELECT 1 FROM bank_transactions t WHERE t.school_id = n.school_id AND t.bank_transaction_id = n.bank_transaction_id)
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT wrong.connection_known THEN
        RAISE EXCEPTION 'collection payment % names connection %, which is not one of school %', wrong.payment_id, wrong.connection_id,
            wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'collection_payments_school_id_connection_id_fkey';
    END IF;
    RAISE EXCEPTION 'collection payment % names bank transaction %, which is not one of school %', wrong.payment_id,
        wrong.bank_transaction_id, wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'collection_payments_school_id_bank_transaction_id_fkey';
END $$;
CREATE TRIGGER collection_payments_inserted_references AFTER INSERT ON collection_payments REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION payments_collection_payments_references();
CREATE TRIGGER collection_payments_updated_references AFTER UPDATE ON collection_payments REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION payments_collection_payments_references();
ALTER TABLE collection_payments DROP CONSTRAINT collection_payments_school_id_fkey,
                                DROP CONSTRAINT collection_payments_school_id_connection_id_fkey,
                                DROP CONSTRAINT collection_payments_school_id_bank_transaction_id_fkey;

-- A statement's callback deliveries name a school that exists, when they name one (refused ones may
-- not). Deliveries are never changed (callback_deliveries_guard, 0010).
CREATE FUNCTION payments_callback_deliveries_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.delivery_id, n.school_id INTO wrong FROM written n
        WHERE n.school_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM schools s WHERE s.school_id = n.school_id)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'callback delivery % names school %, which does not exist', wrong.delivery_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'callback_deliveries_school_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER callback_deliveries_inserted_references AFTER INSERT ON callback_deliveries REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION payments_callback_deliveries_references();
ALTER TABLE callback_deliveries DROP CONSTRAINT callback_deliveries_school_id_fkey;
