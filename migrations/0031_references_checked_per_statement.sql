-- What a paying batch's rows cost the database, fourth cut (docs/callbacks.md §6, "Seventeenth round";
-- docs/ledger.md "References checked per statement"). A batch of payments writes receipts and payment
-- applications, a callback its audit row, a notice its collection row; each of those rows had its
-- references checked by foreign keys: an SPI query and a lock of the referenced row (a WAL record)
-- per reference and row, about six per paid callback and nine per notice. As 0028 did for bank transactions,
-- the references are now checked once per statement for all its rows (a statement trigger with a
-- transition table), refused as the foreign keys refused (23503, under their names), and the rows
-- they name stay without locks because they are never deleted nor re-keyed:
--
--   * students, families, invoices, receipts, bank connections and bank transactions are kept with
--     their keys (a BEFORE DELETE / key UPDATE trigger refuses, TU003; TRUNCATE is refused too);
--     schools and journal entries already were (0028, 0001). No code deletes any of them: a pupil
--     who leaves, a voided invoice, a removed connection are states of the row.
--   * payment applications: the student, family, invoice, receipt and entry they name exist in their
--     school. Checked on insert only: an application's columns never change but its unapply marker
--     (payment_application_changed, 0010/0030), whose own foreign key stays.
--   * receipts: the student exists in the school; on insert and on an update of the key columns.
--   * callback deliveries: the school exists, when named. Checked on insert only: a delivery is never
--     updated (callback_delivery_changed, 0010).
--   * collection payments: the connection and the bank transaction exist in the school; on insert and
--     on an update of those columns. The school's own foreign key is dropped, not replaced: a
--     connection of the school implies the school (bank_connections_school_id_fkey).
--
-- Foreign keys into these tables from elsewhere (invoices to students, statement lines to bank
-- transactions, ...) stay as they are: they are not on the payment path.

CREATE FUNCTION history_refuse_kept_change() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are kept with their keys: payments and their records refer to them (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'TU003';
END $$;

CREATE TRIGGER students_kept BEFORE DELETE ON students FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER students_key_kept BEFORE UPDATE OF school_id, student_id ON students
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.student_id IS DISTINCT FROM NEW.student_id)
    EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER students_no_truncate BEFORE TRUNCATE ON students FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_kept_change();

CREATE TRIGGER families_kept BEFORE DELETE ON families FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER families_key_kept BEFORE UPDATE OF school_id, family_id ON families
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.family_id IS DISTINCT FROM NEW.family_id)
    EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER families_no_truncate BEFORE TRUNCATE ON families FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_kept_change();

CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER invoices_key_kept BEFORE UPDATE OF school_id, invoice_id ON invoices
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id)
    EXECUTE FUNCTION history_refuse_kept_change();

CREATE TRIGGER receipts_kept BEFORE DELETE ON receipts FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER receipts_key_kept BEFORE UPDATE OF school_id, receipt_id ON receipts
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.receipt_id IS DISTINCT FROM NEW.receipt_id)
    EXECUTE FUNCTION history_refuse_kept_change();

CREATE TRIGGER bank_connections_kept BEFORE DELETE ON bank_connections FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER bank_connections_key_kept BEFORE UPDATE OF school_id, connection_id ON bank_connections
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.connection_id IS DISTINCT FROM NEW.connection_id)
    EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER bank_connections_no_truncate BEFORE TRUNCATE ON bank_connections FOR EACH STATEMENT
    EXECUTE FUNCTION history_refuse_kept_change();

CREATE TRIGGER bank_transactions_kept BEFORE DELETE ON bank_transactions FOR EACH ROW EXECUTE FUNCTION history_refuse_kept_change();
CREATE TRIGGER bank_transactions_key_kept BEFORE UPDATE OF school_id, bank_transaction_id ON bank_transactions
    FOR EACH ROW WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id OR OLD.bank_transaction_id IS DISTINCT FROM NEW.bank_transaction_id)
    EXECUTE FUNCTION history_refuse_kept_change();

-- Payment applications: every reference of every row the statement inserted, one probe of each primary key.
CREATE FUNCTION billing_payment_applications_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.application_id, n.student_id, n.family_id, n.invoice_id, n.receipt_id, n.entry_id,
           EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id) AS student_known,
           n.family_id IS NULL OR EXISTS (SELECT 1 FROM families f WHERE f.school_id = n.school_id AND f.family_id = n.family_id) AS family_known,
           n.invoice_id IS NULL OR EXISTS (SELECT 1 FROM invoices i WHERE i.school_id = n.school_id AND i.invoice_id = n.invoice_id) AS invoice_known,
           n.receipt_id IS NULL OR EXISTS (SELECT 1 FROM receipts r WHERE r.school_id = n.school_id AND r.receipt_id = n.receipt_id) AS receipt_known
        INTO wrong
        FROM written n
        WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id)
           OR NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = n.school_id AND e.entry_id = n.entry_id)
           OR (n.family_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM families f WHERE f.school_id = n.school_id AND f.family_id = n.family_id))
           OR (n.invoice_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.school_id = n.school_id AND i.invoice_id = n.invoice_id))
           OR (n.receipt_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.school_id = n.school_id AND r.receipt_id = n.receipt_id))
        LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT wrong.student_known THEN
        RAISE EXCEPTION 'payment application % names student %, who is not one of school %', wrong.application_id, wrong.student_id,
            wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_student_id_fkey';
    ELSIF NOT wrong.family_known THEN
        RAISE EXCEPTION 'payment application % names family %, which is not one of school %', wrong.application_id, wrong.family_id,
            wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_family_id_fkey';
    ELSIF NOT wrong.invoice_known THEN
        RAISE EXCEPTION 'payment application % names invoice %, which is not one of school %', wrong.application_id, wrong.invoice_id,
            wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_invoice_id_fkey';
    ELSIF NOT wrong.receipt_known THEN
        RAISE EXCEPTION 'payment application % names receipt %, which is not one of school %', wrong.application_id, wrong.receipt_id,
            wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_receipt_id_fkey';
    END IF;
    RAISE EXCEPTION 'payment application % names entry %, which is not one of school %', wrong.application_id, wrong.entry_id,
        wrong.school_id USING ERRCODE = '23503', CONSTRAINT = 'payment_applications_school_id_entry_id_fkey';
END $$;
CREATE TRIGGER payment_applications_inserted_references AFTER INSERT ON payment_applications REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION billing_payment_applications_references();
ALTER TABLE payment_applications DROP CONSTRAINT payment_applications_school_id_student_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_family_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_invoice_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_receipt_id_fkey,
                                 DROP CONSTRAINT payment_applications_school_id_entry_id_fkey;

-- Receipts: the student of every row the statement wrote.
CREATE FUNCTION billing_receipts_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.school_id, n.receipt_id, n.student_id INTO wrong
        FROM written n
        WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.school_id = n.school_id AND s.student_id = n.student_id)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'receipt % names student %, who is not one of school %', wrong.receipt_id, wrong.student_id, wrong.school_id
            USING ERRCODE = '23503', CONSTRAINT = 'receipts_school_id_student_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receipts_inserted_references AFTER INSERT ON receipts REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION billing_receipts_references();
CREATE TRIGGER receipts_updated_references AFTER UPDATE ON receipts REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION billing_receipts_references();
ALTER TABLE receipts DROP CONSTRAINT receipts_school_id_student_id_fkey;

-- Callback deliveries: the school, when the delivery was routed to one.
CREATE FUNCTION payments_callback_deliveries_references() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    wrong record;
BEGIN
    SELECT n.delivery_id, n.school_id INTO wrong
        FROM written n
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

-- Collection payments: the connection and the bank transaction of every row the statement wrote.
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
