import Core
import Ledger
import Postgres

/// Recorded payment applications: why money went where, and undoing one.
public enum Applications {
    public static func list(schoolID: Int64, paymentKey: String, on connection: PostgresConnection) throws -> [AppliedPayment] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND payment_key = \(paymentKey) ORDER BY ordinal
            """).map(decode)
    }

    /// Every application that names the invoice, live or unapplied, oldest first.
    public static func list(schoolID: Int64, invoiceID: Int64, on connection: PostgresConnection) throws -> [AppliedPayment] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND invoice_id = \(invoiceID) ORDER BY application_id
            """).map(decode)
    }

    /// Every application of each of these bank transactions' money, oldest first, by transaction (two
    /// queries whatever the count).
    public static func list(schoolID: Int64, bankTransactionIDs ids: [Int64],
                            on connection: PostgresConnection) throws -> [Int64: [AppliedPayment]] {
        guard !ids.isEmpty else { return [:] }
        var transactionOf: [Int64: Int64] = [:]
        for row in try connection.query("""
            SELECT application_id, bank_transaction_id FROM payment_applications
            WHERE school_id = \(schoolID) AND bank_transaction_id = ANY(\(PostgresInt64Array(ids)))
            """) {
            let (application, transaction) = try row.decode((Int64, Int64).self)
            transactionOf[application] = transaction
        }
        guard !transactionOf.isEmpty else { return [:] }
        var byTransaction: [Int64: [AppliedPayment]] = [:]
        for row in try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND application_id = ANY(\(PostgresInt64Array(Array(transactionOf.keys))))
            ORDER BY application_id
            """) {
            let application = try decode(row)
            byTransaction[transactionOf[application.applicationID]!, default: []].append(application)
        }
        return byTransaction
    }

    /// Every application of a bank transaction's money, oldest first.
    public static func list(schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws -> [AppliedPayment] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND bank_transaction_id = \(bankTransactionID) ORDER BY application_id
            """).map(decode)
    }

    public static func find(schoolID: Int64, applicationID: Int64, on connection: PostgresConnection) throws -> AppliedPayment? {
        try connection.query("\(unescaped: selectSQL) WHERE school_id = \(schoolID) AND application_id = \(applicationID)").first.map(decode)
    }

    /// Whether application `applicationID` applied money of bank transaction `bankTransactionID`.
    public static func belongs(applicationID: Int64, toBankTransaction bankTransactionID: Int64, schoolID: Int64,
                               on connection: PostgresConnection) throws -> Bool {
        try connection.query("""
            SELECT 1 FROM payment_applications
            WHERE school_id = \(schoolID) AND application_id = \(applicationID) AND bank_transaction_id = \(bankTransactionID)
            """).singleRow() != nil
    }

    /// How many payments (distinct keys starting with `keyPrefix`) applied money of a bank transaction.
    public static func paymentCount(schoolID: Int64, bankTransactionID: Int64, keyPrefix: String,
                                    on connection: PostgresConnection) throws -> Int {
        try connection.query("""
            SELECT count(DISTINCT payment_key) FROM payment_applications
            WHERE school_id = \(schoolID) AND bank_transaction_id = \(bankTransactionID) AND starts_with(payment_key, \(keyPrefix))
            """).singleRow()!.decode(column: 0, as: Int.self)
    }

    /// Undoes one application inside the caller's transaction: the money goes back where it came from
    /// (cash, the bank transaction's suspense, or the family credit) and the invoice owes it again. Money
    /// kept as credit can be unapplied only while the credit is unspent. The receipt keeps its number;
    /// `Receipts.receipt` shows the item as unapplied.
    ///
    /// An application posted alone is undone by the reversal of its entry. One posted with its money's
    /// arrival (`PaymentEntries.merged`: Dr bank / Cr receivable) is undone by an entry that moves the money
    /// from what it paid to the bank transaction's suspense (Dr receivable / Cr suspense), leaving the
    /// arrival in place; the arrival and the undoing together are then the booking alone.
    public static func unapply(schoolID: Int64, applicationID: Int64, reason: String, effectiveDate: CalendarDate = VietnamTime.today,
                               on connection: PostgresConnection) throws(BillingError) -> UnappliedPayment {
        guard let reason = RecordedReason.normalized(reason) else { throw .invalidField(field: "reason", problem: RecordedReason.problem) }
        return try BillingError.wrapping {
            let application = try lockedLive(schoolID: schoolID, applicationID: applicationID, on: connection)
            if application.invoiceID == nil { try checkCreditUnspent(schoolID: schoolID, application, on: connection) }
            let key = "unapply:\(applicationID)"
            let description = "Hoàn tác phân bổ \(applicationID): \(reason.prefix(BillingLimits.reasonInDescriptionCharactersMax))"
            let entry = try LedgerQueries.entry(schoolID: schoolID, entryID: application.entryID, on: connection)
            let request: JournalEntryRequest
            if PaymentEntries.isMerged(entry) {
                request = try backToSuspense(entry, schoolID: schoolID, effectiveDate: effectiveDate, idempotencyKey: key,
                                             description: description, on: connection)
            } else {
                request = Reversals.request(reversing: entry, schoolID: schoolID, effectiveDate: effectiveDate, idempotencyKey: key,
                                            description: description)
                try Reversals.checkNotReversed(schoolID: schoolID, entryID: application.entryID, idempotencyKey: key, on: connection)
            }
            let undoing = try LedgerWriter.post([request], on: connection)[0]
            try markUnapplied(schoolID: schoolID, applicationID: applicationID, by: undoing.entryID, on: connection)
            return UnappliedPayment(applicationID: applicationID, reversalEntryID: undoing.entryID, amount: application.amount)
        }
    }

    /// The application, locked, while nothing has undone it yet.
    private static func lockedLive(schoolID: Int64, applicationID: Int64, on connection: PostgresConnection) throws -> AppliedPayment {
        guard try connection.query("""
            SELECT 1 FROM payment_applications WHERE school_id = \(schoolID) AND application_id = \(applicationID) FOR UPDATE
            """).singleRow() != nil, let application = try find(schoolID: schoolID, applicationID: applicationID, on: connection) else {
            throw BillingError.unknownApplication(applicationID)
        }
        guard application.unappliedByEntryID == nil else { throw BillingError.alreadyUnapplied(applicationID: applicationID) }
        return application
    }

    /// Records what undid the application: the one change its row takes (migration 0010's rule, 0030's for merged entries).
    private static func markUnapplied(schoolID: Int64, applicationID: Int64, by entryID: Int64, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE payment_applications SET unapply_entry_id = \(entryID)
            WHERE school_id = \(schoolID) AND application_id = \(applicationID)
            """)
    }

    /// The entry undoing a merged application: Dr what it credited / Cr the bank transaction's suspense.
    private static func backToSuspense(_ merged: RecordedEntry, schoolID: Int64, effectiveDate: CalendarDate, idempotencyKey: String,
                                       description: String, on connection: PostgresConnection) throws -> JournalEntryRequest {
        guard let transactionID = merged.references.bankTransactionID, merged.postings.count == 2, merged.postings[1].amount.dong < 0 else {
            throw BillingError.accountMismatch("entry \(merged.entryID) is not a bank transaction's arrival and application")
        }
        let credited = merged.postings[1]
        let accounts = try PaymentAccounts.load(schoolID: schoolID, on: connection)
        return JournalEntryRequest(
            schoolID: schoolID, effectiveDate: effectiveDate, kind: .reclassification, description: description,
            idempotencyKey: idempotencyKey, references: EntryReferences(invoiceID: merged.references.invoiceID, bankTransactionID: transactionID),
            postings: [PostingRequest(accountID: credited.accountID, amount: credited.amount.negated, dimensions: credited.dimensions),
                       PostingRequest(accountID: accounts.suspense, amount: credited.amount, dimensions: PostingDimensions(bankTransactionID: transactionID))])
    }

    /// A bank collection's reversal of a merged application: the reversal of its one entry undoes the arrival
    /// and the application together, and is recorded as what unapplied it. Refused for an application posted
    /// alone (its reversal would not undo the arrival); the caller records the reversal as the bank transaction's too.
    public static func reverseWithArrival(schoolID: Int64, applicationID: Int64, effectiveDate: CalendarDate, idempotencyKey: String,
                                          description: String, on connection: PostgresConnection) throws(BillingError) -> UnappliedPayment {
        try BillingError.wrapping {
            let application = try lockedLive(schoolID: schoolID, applicationID: applicationID, on: connection)
            let entry = try LedgerQueries.entry(schoolID: schoolID, entryID: application.entryID, on: connection)
            guard PaymentEntries.isMerged(entry) else {
                throw BillingError.accountMismatch("application \(applicationID) was posted apart from its money's arrival")
            }
            let request = Reversals.request(reversing: entry, schoolID: schoolID, effectiveDate: effectiveDate,
                                            idempotencyKey: idempotencyKey, description: description)
            try Reversals.checkNotReversed(schoolID: schoolID, entryID: application.entryID, idempotencyKey: idempotencyKey, on: connection)
            let reversal = try LedgerWriter.post([request], on: connection)[0]
            try markUnapplied(schoolID: schoolID, applicationID: applicationID, by: reversal.entryID, on: connection)
            return UnappliedPayment(applicationID: applicationID, reversalEntryID: reversal.entryID, amount: application.amount)
        }
    }

    /// Credit already spent on invoices cannot be taken back from the family.
    static func checkCreditUnspent(schoolID: Int64, _ application: AppliedPayment, on connection: PostgresConnection) throws {
        let accounts = try PaymentAccounts.load(schoolID: schoolID, on: connection)
        let (dimension, id): (Dimension, Int64) = application.familyID.map { (.family, $0) } ?? (.student, application.studentID)
        if dimension == .family {
            try connection.query("SELECT 1 FROM families WHERE school_id = \(schoolID) AND family_id = \(id) FOR UPDATE")
        } else {
            try connection.query("SELECT 1 FROM students WHERE school_id = \(schoolID) AND student_id = \(id) FOR UPDATE")
        }
        let balance = try LedgerQueries.balance(schoolID: schoolID, accountID: accounts.familyCredit, dimension: dimension, id: id,
                                                on: connection) ?? .zero
        guard -balance.dong >= application.amount.dong else {
            throw BillingError.allocationInvalid("the credit of \(application.amount) was already spent (\(Money(dong: max(0, -balance.dong))) left)")
        }
    }

    /// The credit a family (or a student without one) holds now: what overpayments left, minus what was spent.
    public static func creditBalance(schoolID: Int64, familyID: Int64?, studentID: Int64, on connection: PostgresConnection) throws -> Money {
        let accounts = try PaymentAccounts.load(schoolID: schoolID, on: connection)
        let balance = try LedgerQueries.balance(schoolID: schoolID, accountID: accounts.familyCredit, dimension: familyID == nil ? .student : .family,
                                                id: familyID ?? studentID, on: connection) ?? .zero
        return balance.negated
    }

    static let selectSQL = """
        SELECT application_id, ordinal, invoice_id, student_id, family_id, amount, entry_id, receipt_id, rule, explanation, unapply_entry_id
        FROM payment_applications
        """

    static func decode(_ row: PostgresRow) throws -> AppliedPayment {
        let (id, ordinal, invoice, student, family, amount, entry, receipt, rule, explanation, unapplied) =
            try row.decode((Int64, Int, Int64?, Int64, Int64?, Money, Int64, Int64?, String, String, Int64?).self)
        return AppliedPayment(applicationID: id, ordinal: ordinal, invoiceID: invoice, studentID: student, familyID: family, amount: amount,
                              entryID: entry, receiptID: receipt, rule: rule, explanation: explanation, unappliedByEntryID: unapplied)
    }
}
