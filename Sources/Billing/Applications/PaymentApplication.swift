import Core
import Ledger
import Postgres

/// Applies money to students' invoices, for cash at the counter now and for bank callbacks and
/// statement lines later. Runs inside the caller's READ COMMITTED transaction, so the caller can
/// record the bank transaction (or its match) and its application atomically.
///
/// Each allocation, and the credit kept, is one application with one ledger entry of its own
/// (so each can be unapplied alone by a reversal), stored with the rule and explanation that
/// decided it. Invoices are locked before their outstanding amounts are read from the ledger, so
/// two payments racing for one invoice can never take it past zero. Cash and bank payments get one
/// receipt per student paid, numbered per school and school year without gaps.
public enum PaymentApplication {
    /// Advisory lock class serialising two applications of the same payment key.
    static let keyLockClass = AdvisoryLockClass.paymentKey.rawValue

    public static func apply(_ request: PaymentRequest, on connection: PostgresConnection) throws(BillingError) -> PaymentApplicationResult {
        try validate(request)
        return try BillingError.wrapping {
            try connection.query("SELECT pg_advisory_xact_lock(\(keyLockClass), hashtext(\(request.paymentKey)))")
            if let earlier = try replay(request, on: connection) { return earlier }
            let invoices = try lockInvoices(schoolID: request.schoolID, ids: request.allocations.map(\.invoiceID), on: connection)
            let students = try loadStudents(request, invoices: invoices, on: connection)
            let accounts = try PaymentAccounts.load(schoolID: request.schoolID, on: connection)
            try checkAllocations(request, invoices: invoices, students: students)
            let holder = CreditHolder(students[request.studentIDs[0]]!)
            if request.source == .familyCredit {
                try checkCreditAvailable(request, holder: holder, accounts: accounts, on: connection)
            }
            let planned = plan(request, invoices: invoices, students: students, holder: holder)
            let requests = planned.map { PaymentEntries.entry(request, $0, accounts: accounts, holder: holder, invoices: invoices) }
            let posted = try LedgerWriter.post(requests, on: connection)
            // The receipt counter after the balances, as `PaymentBatch` takes them (docs/architecture.md "Lock order").
            let receipts = try PaymentReceipts.write(request, planned: planned, on: connection)
            let applied = try insertApplications(request, planned: planned, entries: posted.map(\.entryID), receipts: receipts, on: connection)
            return PaymentApplicationResult(paymentKey: request.paymentKey, applications: applied,
                                            receiptIDs: receipts.values.sorted(), replayed: false)
        }
    }

    /// One application to write.
    struct Planned {
        var ordinal: Int
        var invoiceID: Int64?
        var studentID: Int64
        var familyID: Int64?
        var amount: Money
    }

    /// Whoever keeps credit: the family, or the student when they have none.
    struct CreditHolder {
        var studentID: Int64
        var familyID: Int64?

        init(_ student: Student) {
            studentID = student.id
            familyID = student.familyID
        }

        var dimensions: PostingDimensions {
            familyID.map { PostingDimensions(familyID: $0) } ?? PostingDimensions(studentID: studentID)
        }
        var dimension: Dimension { familyID == nil ? .student : .family }
        var dimensionID: Int64 { familyID ?? studentID }
    }

    static func validate(_ request: PaymentRequest) throws(BillingError) {
        func fail(_ field: String, _ problem: String) -> BillingError { .invalidField(field: field, problem: problem) }
        guard !request.paymentKey.isEmpty, request.paymentKey.utf8.count <= BillingLimits.paymentKeyBytesMax else {
            throw fail("payment_key", "1 to \(BillingLimits.paymentKeyBytesMax) bytes")
        }
        guard !request.rule.isEmpty, request.rule.utf8.count <= BillingLimits.ruleBytesMax else { throw fail("rule", "1 to \(BillingLimits.ruleBytesMax) bytes") }
        // Lengths as PostgreSQL counts them (code points), which is what the columns' CHECKs count.
        guard !request.explanation.isEmpty, request.explanation.unicodeScalars.count <= BillingLimits.explanationBytesMax else {
            throw fail("explanation", "1 to \(BillingLimits.explanationBytesMax) characters")
        }
        let payer = StudentRules.collapse(request.payerName)
        guard !payer.isEmpty, payer.unicodeScalars.count <= BillingLimits.nameCharactersMax else { throw fail("payer_name", "1 to \(BillingLimits.nameCharactersMax) characters") }
        guard !request.recordedBy.isEmpty, request.recordedBy.unicodeScalars.count <= BillingLimits.nameCharactersMax else { throw fail("recorded_by", "required") }
        guard (1...BillingLimits.studentsPerPaymentMax).contains(request.studentIDs.count), Set(request.studentIDs).count == request.studentIDs.count else {
            throw fail("students", "1 to \(BillingLimits.studentsPerPaymentMax) distinct students")
        }
        guard request.allocations.count <= BillingLimits.allocationsPerPaymentMax,
              Set(request.allocations.map(\.invoiceID)).count == request.allocations.count else {
            throw fail("allocations", "at most \(BillingLimits.allocationsPerPaymentMax), one per invoice")
        }
        guard request.allocations.allSatisfy({ $0.amount.isPositive && $0.amount.dong <= Money.absoluteDongMax }),
              !request.credit.isNegative, request.credit.dong <= Money.absoluteDongMax else {
            throw fail("allocations", "every amount must be positive, and the credit zero or more")
        }
        // Checked: 200 allocations of the largest amount each would pass the line checks and sum past the ledger's bound.
        guard let total = try? Money.sum(request.allocations.map(\.amount)).adding(request.credit), total.isPositive else {
            throw fail("amount", "a payment must move some money, at most \(MoneyFormat.vietnamese(Money(dong: Money.absoluteDongMax))) in all")
        }
        if request.source == .familyCredit && request.credit.isPositive {
            throw fail("credit", "credit applied from family credit cannot be kept as credit again")
        }
        if case .bankTransaction(_, let reference?) = request.source, reference.isEmpty || reference.count > 100 {
            throw fail("bank_reference", "1 to 100 characters")
        }
    }

    /// The recorded result when this payment key was applied before with the same request.
    static func replay(_ request: PaymentRequest, on connection: PostgresConnection) throws -> PaymentApplicationResult? {
        let earlier = try Applications.list(schoolID: request.schoolID, paymentKey: request.paymentKey, on: connection)
        guard !earlier.isEmpty else { return nil }
        let wanted = request.allocations.map { "\($0.invoiceID):\($0.amount.dong)" }.sorted()
            + (request.credit.isPositive ? ["credit:\(request.credit.dong)"] : [])
        let found = earlier.filter { $0.invoiceID != nil }.map { "\($0.invoiceID!):\($0.amount.dong)" }.sorted()
            + earlier.filter { $0.invoiceID == nil }.map { "credit:\($0.amount.dong)" }
        guard wanted == found else { throw BillingError.idempotencyConflict(key: request.paymentKey) }
        return PaymentApplicationResult(paymentKey: request.paymentKey, applications: earlier,
                                        receiptIDs: Array(Set(earlier.compactMap(\.receiptID))).sorted(), replayed: true)
    }

    /// Locks the invoices in id order (the fixed order that avoids deadlocks), then reads them with
    /// their outstanding amounts: under READ COMMITTED that read sees every payment committed before the lock.
    static func lockInvoices(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [Int64: Invoice] {
        guard !ids.isEmpty else { return [:] }
        let isolation = try connection.query("""
            SELECT current_setting('transaction_isolation') FROM invoices
            WHERE school_id = \(schoolID) AND invoice_id = ANY(\(PostgresInt64Array(ids))) ORDER BY invoice_id FOR UPDATE
            """)
        if let row = isolation.first {
            let level = try row.decode(column: 0, as: String.self)
            precondition(level == "read committed", "payment application needs a READ COMMITTED transaction, not \(level)")
        }
        var invoices: [Int64: Invoice] = [:]
        for id in ids {
            guard let invoice = try InvoiceQueries.invoice(schoolID: schoolID, id: id, on: connection) else {
                throw BillingError.unknownInvoice("id \(id)")
            }
            invoices[id] = invoice
        }
        return invoices
    }

    static func loadStudents(_ request: PaymentRequest, invoices: [Int64: Invoice], on connection: PostgresConnection) throws -> [Int64: Student] {
        var students: [Int64: Student] = [:]
        for id in request.studentIDs {
            guard let student = try Students.find(schoolID: request.schoolID, id: id, on: connection) else {
                throw BillingError.unknownStudent("id \(id)")
            }
            students[id] = student
        }
        return students
    }

    static func checkAllocations(_ request: PaymentRequest, invoices: [Int64: Invoice], students: [Int64: Student]) throws {
        for allocation in request.allocations {
            let invoice = invoices[allocation.invoiceID]!
            guard students[invoice.studentID] != nil else {
                throw BillingError.allocationInvalid("invoice \(invoice.number.text) belongs to student \(invoice.studentCode), "
                                                     + "who is not among the students of this payment")
            }
            guard invoice.status != .void else { throw BillingError.invoiceNotPayable("invoice \(invoice.number.text) is void") }
            guard allocation.amount <= invoice.outstanding else {
                throw BillingError.allocationExceedsOutstanding(invoice: invoice.number.text, amount: allocation.amount,
                                                                outstanding: Money(dong: max(0, invoice.outstanding.dong)))
            }
        }
    }

    /// Refuses to spend more credit than the holder has. The holder's row is locked first so two
    /// payments cannot spend the same credit.
    static func checkCreditAvailable(_ request: PaymentRequest, holder: CreditHolder, accounts: PaymentAccounts,
                                     on connection: PostgresConnection) throws {
        if let family = holder.familyID {
            try connection.query("SELECT 1 FROM families WHERE school_id = \(request.schoolID) AND family_id = \(family) FOR UPDATE")
        } else {
            try connection.query("SELECT 1 FROM students WHERE school_id = \(request.schoolID) AND student_id = \(holder.studentID) FOR UPDATE")
        }
        let balance = try LedgerQueries.balance(schoolID: request.schoolID, accountID: accounts.familyCredit, dimension: holder.dimension,
                                                id: holder.dimensionID, on: connection) ?? .zero
        let available = Money(dong: max(0, -balance.dong))
        guard request.amount <= available else {
            throw BillingError.allocationInvalid("the credit available (\(available)) is less than the \(request.amount) to apply")
        }
    }

    static func plan(_ request: PaymentRequest, invoices: [Int64: Invoice], students: [Int64: Student], holder: CreditHolder) -> [Planned] {
        var planned: [Planned] = []
        for allocation in request.allocations {
            let invoice = invoices[allocation.invoiceID]!
            planned.append(Planned(ordinal: planned.count + 1, invoiceID: invoice.id, studentID: invoice.studentID,
                                   familyID: students[invoice.studentID]!.familyID, amount: allocation.amount))
        }
        if request.credit.isPositive {
            planned.append(Planned(ordinal: planned.count + 1, invoiceID: nil, studentID: holder.studentID, familyID: holder.familyID,
                                   amount: request.credit))
        }
        return planned
    }

    static func insertApplications(_ request: PaymentRequest, planned: [Planned], entries: [Int64], receipts: [Int64: Int64],
                                   on connection: PostgresConnection) throws -> [AppliedPayment] {
        let receiptIDs = planned.map { request.source == .familyCredit ? nil : receipts[$0.studentID] }
        try connection.query("""
            INSERT INTO payment_applications (school_id, payment_key, ordinal, source, bank_transaction_id, student_id, family_id,
                                              invoice_id, amount, entry_id, receipt_id, rule, explanation)
            SELECT \(request.schoolID), \(request.paymentKey), u.o::smallint, \(request.source.name), \(request.source.bankTransactionID),
                   u.s, u.f, u.i, u.a, u.e, u.r, \(request.rule), \(request.explanation)
            FROM unnest(\(PostgresInt64Array(planned.map { Int64($0.ordinal) })), \(PostgresInt64Array(planned.map(\.studentID))),
                        \(PostgresNullableInt64Array(planned.map(\.familyID))), \(PostgresNullableInt64Array(planned.map(\.invoiceID))),
                        \(PostgresInt64Array(planned.map(\.amount.dong))), \(PostgresInt64Array(entries)),
                        \(PostgresNullableInt64Array(receiptIDs))) AS u(o, s, f, i, a, e, r)
            """)
        return try Applications.list(schoolID: request.schoolID, paymentKey: request.paymentKey, on: connection)
    }
}
