import Billing
import Core
import Ledger
import Postgres

/// A disposition about to be written.
struct DispositionDraft {
    var schoolID: Int64
    var transactionID: Int64
    var kind: SuspenseDispositionKind
    var refundedTransactionID: Int64?
    var accountID: Int64?
    var amount: Money
    var date: CalendarDate
    var entryKind: EntryKind
    var reason: String
    var decidedBy: String
    var description: String
    var postings: [PostingRequest]
}

/// Writing and reading disposition rows.
extension Suspense {
    /// Posts the entry, stores the disposition and, for refund due and not tuition, marks the transaction.
    static func record(_ draft: DispositionDraft, on connection: PostgresConnection) throws -> SuspenseDisposition {
        let ordinal = try connection.query("""
            SELECT count(*) + 1 FROM suspense_dispositions WHERE school_id = \(draft.schoolID) AND bank_transaction_id = \(draft.transactionID)
            """).singleRow()!.decode(column: 0, as: Int.self)
        let description = entryDescription(draft.description + ": " + draft.reason)
        let entry = JournalEntryRequest(
            schoolID: draft.schoolID, effectiveDate: draft.date, kind: draft.entryKind, description: description,
            idempotencyKey: "suspense-disposition:\(draft.transactionID):\(ordinal)",
            references: EntryReferences(bankTransactionID: draft.transactionID), postings: draft.postings)
        let posted = try LedgerWriter.post([entry], on: connection)[0]
        let id = try connection.query("""
            INSERT INTO suspense_dispositions (school_id, bank_transaction_id, kind, refunded_transaction_id, account_id, amount, entry_id,
                                               reason, decided_by)
            VALUES (\(draft.schoolID), \(draft.transactionID), \(draft.kind.rawValue), \(draft.refundedTransactionID), \(draft.accountID),
                    \(draft.amount), \(posted.entryID), \(draft.reason), \(String(draft.decidedBy.prefix(200))))
            RETURNING disposition_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
        if draft.kind != .refundPaid {
            try connection.query("""
                UPDATE bank_transactions SET disposition = \(draft.kind.rawValue), disposition_entry_id = \(posted.entryID)
                WHERE school_id = \(draft.schoolID) AND bank_transaction_id = \(draft.transactionID)
                """)
        }
        return SuspenseDisposition(id: id, transactionID: draft.transactionID, kind: draft.kind, refundedTransactionID: draft.refundedTransactionID,
                                   accountID: draft.accountID, amount: draft.amount, entryID: posted.entryID, effectiveDate: draft.date,
                                   reason: draft.reason, decidedBy: draft.decidedBy, reversalEntryID: nil)
    }

    /// Locks a transaction that has no disposition and money left in suspense; returns it with that money.
    static func lockUndisposed(schoolID: Int64, transactionID: Int64, on connection: PostgresConnection) throws -> (BankTransaction, Money) {
        let transaction = try SuspenseLedger.lock(schoolID: schoolID, transactionID: transactionID, on: connection)
        if let disposition = transaction.disposition {
            throw SuspenseError.alreadyDisposed(transactionID: transactionID, disposition: disposition)
        }
        let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
        let remaining = try SuspenseLedger.remaining(transaction, suspenseAccountID: suspense, on: connection)
        guard remaining.isPositive else { throw SuspenseError.nothingInSuspense(transactionID: transactionID) }
        return (transaction, remaining)
    }

    /// The account money that is not tuition goes to; refused for purposes with flows of their own.
    static func notTuitionAccount(schoolID: Int64, _ choice: SuspenseAccountChoice, on connection: PostgresConnection) throws -> (accountID: Int64, code: String) {
        let account: AccountBalance
        switch choice {
        case .code(let code):
            guard let found = try LedgerQueries.account(schoolID: schoolID, code: code, on: connection) else {
                throw SuspenseError.unknownAccount("with code \(code)")
            }
            account = found
        case .purpose(let purpose):
            guard let found = try LedgerQueries.account(schoolID: schoolID, purpose: purpose, on: connection) else {
                throw SuspenseError.unknownAccount("of purpose \(purpose.rawValue)")
            }
            account = found
        }
        if purposesRefusedForNotTuition.contains(account.purpose) {
            throw SuspenseError.accountNotAllowed(code: account.code, purpose: account.purpose.rawValue)
        }
        return (account.accountID, account.code)
    }

    /// True when a live refund payment names the incoming transaction.
    static func refundPaid(schoolID: Int64, refundedTransactionID: Int64, on connection: PostgresConnection) throws -> Bool {
        try connection.query("""
            SELECT 1 FROM suspense_dispositions
            WHERE school_id = \(schoolID) AND refunded_transaction_id = \(refundedTransactionID) AND reversal_entry_id IS NULL LIMIT 1
            """).singleRow() != nil
    }

    /// `text` cut to whole characters within a ledger description's byte bound.
    static func entryDescription(_ text: String) -> String {
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            guard bytes + size <= LedgerLimits.descriptionBytesMax else { break }
            result.append(character)
            bytes += size
        }
        return result
    }

    static func checkedReason(_ text: String) throws -> String {
        guard let reason = RecordedReason.normalized(text) else { throw SuspenseError.invalidField(field: "reason", problem: RecordedReason.problem) }
        return reason
    }

    static func decodeDisposition(_ row: PostgresRow) throws -> SuspenseDisposition {
        let (id, transaction, kind, refunded, account, amount, entry, date, reason, decidedBy, reversal) =
            try row.decode((Int64, Int64, String, Int64?, Int64?, Money, Int64, CalendarDate, String, String, Int64?).self)
        return SuspenseDisposition(id: id, transactionID: transaction, kind: SuspenseDispositionKind(rawValue: kind) ?? .notTuition,
                                   refundedTransactionID: refunded, accountID: account, amount: amount, entryID: entry, effectiveDate: date,
                                   reason: reason, decidedBy: decidedBy, reversalEntryID: reversal)
    }
}
