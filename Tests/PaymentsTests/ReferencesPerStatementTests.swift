import Billing
import Core
import Foundation
import Postgres
import Testing
import TestSupport

/// Migration 0031 checks the references of the rows a paying batch writes — payment applications,
/// receipts, callback deliveries, collection payments — once per statement instead of by a foreign key
/// per row (docs/ledger.md, "References checked per statement"). These check, as the application role
/// through plain SQL, that each reference is still refused as the foreign key refused it (23503) and
/// that the rows referred to stay, under their keys (TU003).
@Suite struct ReferencesPerStatementTests {
    /// A school with two pupils (one in a family), their September invoices, one callback paying the
    /// first pupil's invoice and one naming nothing (its booking entry is used by no application).
    struct Paid {
        let fixture: CallbackFixture
        let app: PostgresConnection
        let school: Int64
        /// The application, receipt, student, family, invoice and bank transaction of the paid callback.
        let application: Int64, receipt: Int64, student: Int64, family: Int64, invoice: Int64, transaction: Int64
        /// The entry of the callback left in suspense.
        let freeEntry: Int64

        init() throws {
            fixture = try CallbackFixture()
            try fixture.billing.addFee("HP", amount: 500_000)
            _ = try fixture.billing.addStudent("HS001", name: "Nguyễn Văn An", family: "GD-AN")
            _ = try fixture.billing.addStudent("HS002", name: "Trần Thị Bình")
            _ = try fixture.billing.issue()
            let code = try fixture.billing.invoices().first { $0.studentCode == "HS001" }!.paymentCode
            #expect(fixture.deliver(CallbackFixture.body(id: "FT-PAID", amount: 500_000, memo: "HOC PHI \(code)")).outcome == .accepted)
            #expect(fixture.deliver(CallbackFixture.body(id: "FT-NONE", amount: 70_000, memo: "CHUYEN TIEN")).outcome == .accepted)
            app = try fixture.billing.database.connect()
            school = fixture.school.id
            let row = try app.query("""
                SELECT a.application_id, a.receipt_id, a.student_id, s.family_id, a.invoice_id, a.bank_transaction_id
                FROM payment_applications a JOIN students s USING (school_id, student_id) WHERE a.school_id = \(school)
                """).singleRow()!
            (application, receipt, student, family, invoice, transaction) = try row.decode((Int64, Int64, Int64, Int64, Int64, Int64).self)
            freeEntry = try app.query("""
                SELECT t.entry_id FROM bank_transactions t WHERE t.school_id = \(school) AND t.provider_transaction_id = 'FT-NONE'
                """).singleRow()!.decode(column: 0, as: Int64.self)
        }

        /// A copy of the paid callback's application with the references given, under a key of its own.
        func application(key: String, student: Int64? = nil, family: String? = nil, invoice: Int64? = nil, receipt: Int64? = nil,
                         entry: Int64? = nil) -> String {
            """
            INSERT INTO payment_applications (school_id, payment_key, ordinal, source, bank_transaction_id, student_id, family_id,
                                              invoice_id, amount, entry_id, receipt_id, rule, explanation)
            SELECT school_id, '\(key)', 1, source, bank_transaction_id, \(student ?? self.student), \(family ?? "\(self.family)"),
                   \(invoice ?? self.invoice), 1000, \(entry ?? freeEntry), \(receipt ?? self.receipt), rule, explanation
            FROM payment_applications WHERE school_id = \(school) AND application_id = \(application)
            """
        }
    }

    @Test func aPaymentApplicationNamesRowsOfItsSchool() throws {
        let paid = try Paid()
        defer { paid.app.close() }
        let missing: Int64 = 9_000_000
        #expect(paid.app.failedSQLState(paid.application(key: "x-student", student: missing)) == "23503")
        #expect(paid.app.failedSQLState(paid.application(key: "x-family", family: "\(missing)")) == "23503")
        #expect(paid.app.failedSQLState(paid.application(key: "x-invoice", invoice: missing)) == "23503")
        #expect(paid.app.failedSQLState(paid.application(key: "x-receipt", receipt: missing)) == "23503")
        #expect(paid.app.failedSQLState(paid.application(key: "x-entry", entry: missing)) == "23503")
        // The message names what is missing and the constraint the foreign key had.
        do {
            try paid.app.simpleQuery(unsafeSQL: paid.application(key: "x-invoice-named", invoice: missing))
            Issue.record("an application naming a missing invoice was inserted")
        } catch {
            #expect(error.sqlState == .foreignKeyViolation)
            #expect(error.serverMessage?.contains("invoice \(missing)") == true)
            #expect(error.constraintName == "payment_applications_school_id_invoice_id_fkey")
        }
        // Every reference named, the family left out: inserted.
        #expect(paid.app.failedSQLState(paid.application(key: "x-valid", family: "NULL")) == nil)
        #expect(try paid.fixture.count("SELECT count(*) FROM payment_applications WHERE payment_key LIKE 'x-%'") == 1)
    }

    @Test func aReceiptNamesAStudentOfItsSchool() throws {
        let paid = try Paid()
        defer { paid.app.close() }
        func copy(key: String, student: Int64) -> String {
            """
            INSERT INTO receipts (school_id, school_year, number, payment_key, student_id, payer_name, method, bank_transaction_id,
                                  amount, received_on, recorded_by)
            SELECT school_id, school_year, number + 100, '\(key)', \(student), payer_name, method, bank_transaction_id, amount,
                   received_on, recorded_by
            FROM receipts WHERE school_id = \(paid.school) AND receipt_id = \(paid.receipt)
            """
        }
        #expect(paid.app.failedSQLState(copy(key: "r-missing", student: 9_000_000)) == "23503")
        #expect(paid.app.failedSQLState(copy(key: "r-valid", student: paid.student)) == nil)
        #expect(paid.app.failedSQLState("UPDATE receipts SET student_id = 9000000 WHERE school_id = \(paid.school)") == "23503")
        #expect(paid.app.failedSQLState("UPDATE receipts SET payer_name = payer_name WHERE school_id = \(paid.school)") == nil)
    }

    @Test func aCallbackDeliveryNamesASchoolThatExists() throws {
        let paid = try Paid()
        defer { paid.app.close() }
        func delivery(school: String) -> String {
            """
            INSERT INTO callback_deliveries (provider, school_id, request_id, method, query, headers, body, body_sha256, body_bytes,
                                             verdict, reason)
            VALUES ('tuition', \(school), 'req-1', 'POST', '', '{}', '\\x', decode(repeat('00', 32), 'hex'), 0, 'malformed', 'test')
            """
        }
        #expect(paid.app.failedSQLState(delivery(school: "9000000")) == "23503")
        #expect(paid.app.failedSQLState(delivery(school: "\(paid.school)")) == nil)
        #expect(paid.app.failedSQLState(delivery(school: "NULL")) == nil)
    }

    @Test func aCollectionPaymentNamesAConnectionAndABankTransactionOfItsSchool() throws {
        let paid = try Paid()
        defer { paid.app.close() }
        let connection = try paid.app.query("SELECT connection_id FROM bank_connections WHERE school_id = \(paid.school)").singleRow()!
            .decode(column: 0, as: Int64.self)
        func payment(reference: String, connection: Int64, transaction: Int64) -> String {
            """
            INSERT INTO collection_payments (school_id, connection_id, provider, bank_reference, bank_transaction_id, business_date,
                                             paid_at, amount, customer_code, applied, credited, source)
            VALUES (\(paid.school), \(connection), 'collect-tuition', '\(reference)', \(transaction), '2026-09-15',
                    '2026-09-15T03:00:00Z', 500000, 'HS001', 0, 0, 'notice')
            """
        }
        #expect(paid.app.failedSQLState(payment(reference: "B-1", connection: 9_000_000, transaction: paid.transaction)) == "23503")
        #expect(paid.app.failedSQLState(payment(reference: "B-2", connection: connection, transaction: 9_000_000)) == "23503")
        #expect(paid.app.failedSQLState(payment(reference: "B-3", connection: connection, transaction: paid.transaction)) == nil)
        #expect(paid.app.failedSQLState("""
            UPDATE collection_payments SET bank_transaction_id = 9000000 WHERE school_id = \(paid.school)
            """) == "23503")
    }

    @Test func theRowsReferredToAreKeptWithTheirKeys() throws {
        let paid = try Paid()
        defer { paid.app.close() }
        let school = paid.school
        for (table, key) in [("students", "student_id"), ("families", "family_id"), ("invoices", "invoice_id"), ("receipts", "receipt_id"),
                             ("bank_connections", "connection_id"), ("bank_transactions", "bank_transaction_id")] {
            #expect(paid.app.failedSQLState("DELETE FROM \(table) WHERE school_id = \(school)") == "TU003", "\(table)")
            #expect(paid.app.failedSQLState("UPDATE \(table) SET \(key) = DEFAULT WHERE school_id = \(school)") == "TU003", "\(table)")
            // An update that leaves the key as it was passes.
            #expect(paid.app.failedSQLState("UPDATE \(table) SET school_id = school_id WHERE school_id = \(school)") == nil, "\(table)")
        }
        // Nothing else refuses to empty the connections with what hangs on them (their accounts and secrets).
        let owner = try paid.fixture.billing.database.connectAsOwner()
        defer { owner.close() }
        #expect(owner.failedSQLState("TRUNCATE bank_connections CASCADE") == "TU003")
        #expect(try paid.fixture.billing.verify().isClean)
    }
}
