import Core
import Foundation
import Payments
import Postgres
import Testing
import TestSupport

/// Migration 0031 checks what a payment's rows name once per statement instead of by a foreign key
/// per row (docs/callbacks.md §6, fifteenth round). The rules are still the database's own: these
/// try to break them as the application role, through plain SQL, after a real notice was paid.
@Suite struct PaymentRowsReferencesTests {
    struct Paid {
        let fixture: CollectionFixture
        let school: Int64

        init() throws {
            fixture = try CollectionFixture()
            try fixture.billing.addFee("HP", amount: 500_000)
            _ = try fixture.billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
            _ = try fixture.billing.issue()
            let paid = try fixture.send("payments", ["transaction_id": "VCB-REF", "amount": 500_000,
                                                     "paid_at": "2026-09-15T10:21:07+07:00", "customer_code": "HS001"])
            #expect(paid.outcome == .ok)
            school = fixture.school.id
        }

        func refusal(_ sql: String) throws -> String? {
            try fixture.pool.withConnection { $0.failedSQLState(sql) }
        }
    }

    @Test func aReceiptAndAnApplicationNameWhatExistsInTheirSchool() throws {
        let paid = try Paid()
        let school = paid.school
        func receipt(student: String) -> String {
            """
            INSERT INTO receipts (school_id, school_year, number, payment_key, student_id, payer_name, method, bank_transaction_id,
                                  bank_reference, amount, received_on, recorded_by)
            SELECT school_id, school_year, number + 1000, payment_key || '-copy', \(student), payer_name, method, bank_transaction_id,
                   bank_reference, amount, received_on, recorded_by
            FROM receipts WHERE school_id = \(school)
            """
        }
        #expect(try paid.refusal(receipt(student: "student_id + 1000")) == "23503")
        // An application copied with one reference changed at a time (a fresh entry: the invoice's, applied by nobody).
        func application(_ column: String, _ value: String) -> String {
            var values = ["invoice_id": "invoice_id", "receipt_id": "receipt_id", "student_id": "student_id", "family_id": "family_id",
                          "entry_id": "(SELECT i.entry_id FROM invoices i WHERE i.school_id = a.school_id AND i.invoice_id = a.invoice_id)"]
            values[column] = value
            return """
                INSERT INTO payment_applications (school_id, payment_key, ordinal, source, bank_transaction_id, student_id, family_id,
                                                  invoice_id, amount, entry_id, receipt_id, rule, explanation)
                SELECT school_id, payment_key || '-copy', ordinal, source, bank_transaction_id, \(values["student_id"]!), \(values["family_id"]!),
                       \(values["invoice_id"]!), amount, \(values["entry_id"]!), \(values["receipt_id"]!), rule, explanation
                FROM payment_applications a WHERE school_id = \(school)
                """
        }
        for column in ["invoice_id", "receipt_id", "student_id", "family_id"] {
            #expect(try paid.refusal(application(column, "\(column) + 1000")) == "23503", "\(column)")
        }
        #expect(try paid.refusal(application("entry_id", "entry_id + 1000")) == "23503")
        // A copy naming only what exists is accepted: the check refuses what is wrong, nothing else.
        #expect(try paid.refusal(application("invoice_id", "NULL")) == nil)
    }

    @Test func aNoticeNamesAConnectionAndATransactionOfItsSchool() throws {
        let paid = try Paid()
        func notice(_ column: String) -> String {
            var values = ["connection_id": "connection_id", "bank_transaction_id": "bank_transaction_id"]
            values[column] = "\(column) + 1000"
            return """
                INSERT INTO collection_payments (school_id, connection_id, provider, bank_reference, bank_transaction_id, business_date, paid_at,
                                                 amount, customer_code, student_id, applied, credited, exception, receipt_ids, source)
                SELECT school_id, \(values["connection_id"]!), provider, bank_reference || '-copy', \(values["bank_transaction_id"]!),
                       business_date, paid_at, amount, customer_code, student_id, applied, credited, exception, receipt_ids, source
                FROM collection_payments WHERE school_id = \(paid.school)
                """
        }
        #expect(try paid.refusal(notice("connection_id")) == "23503")
        #expect(try paid.refusal(notice("bank_transaction_id")) == "23503")
        #expect(try paid.refusal("UPDATE collection_payments SET connection_id = connection_id + 1000 WHERE school_id = \(paid.school)") == "23503")
        #expect(try paid.refusal("UPDATE collection_payments SET customer_code = customer_code WHERE school_id = \(paid.school)") == nil)
    }

    @Test func aCallbackDeliveryNamesASchoolThatExists() throws {
        let paid = try Paid()
        func delivery(school: String) -> String {
            """
            INSERT INTO callback_deliveries (provider, school_id, request_id, method, query, headers, body, verdict, body_sha256, body_bytes)
            VALUES ('vcb', \(school), 'r-0031', 'POST', '', '{}', '', 'malformed', decode(repeat('ab', 32), 'hex'), 0)
            """
        }
        #expect(try paid.refusal(delivery(school: "\(paid.school + 1000)")) == "23503")
        #expect(try paid.refusal(delivery(school: "NULL")) == nil)
        #expect(try paid.refusal(delivery(school: "\(paid.school)")) == nil)
    }

    /// What the row locks of the foreign keys guaranteed: what a payment names stays, under its key.
    @Test func whatAPaymentNamesIsKeptWithItsKey() throws {
        let paid = try Paid()
        let school = paid.school
        let kept = [("students", "student_id"), ("families", "family_id"), ("invoices", "invoice_id"), ("receipts", "receipt_id"),
                    ("bank_connections", "connection_id"), ("bank_transactions", "bank_transaction_id")]
        for (table, key) in kept {
            #expect(try paid.refusal("DELETE FROM \(table) WHERE school_id = \(school)") == "TU003", "\(table)")
            #expect(try paid.refusal("UPDATE \(table) SET \(key) = DEFAULT WHERE school_id = \(school)") == "TU003", "\(table)")
        }
        // Their other columns still change.
        #expect(try paid.refusal("UPDATE students SET full_name = full_name WHERE school_id = \(school)") == nil)
        #expect(try paid.refusal("UPDATE bank_connections SET removed_at = removed_at WHERE school_id = \(school)") == nil)
        let verification = try paid.fixture.billing.verify()
        #expect(verification.isClean, "\(verification)")
    }
}
