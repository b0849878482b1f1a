import Billing
import Core
import Ledger
import Postgres

/// Decisions that take money out of suspense without an invoice, each a ledger entry with its
/// reason, recorded on the transaction and reversible:
///
/// - refund due:   Dr suspense / Cr refunds payable, both for the incoming transaction;
/// - refund paid:  Dr refunds payable (the incoming transaction) / Cr suspense (the outgoing one);
/// - not tuition:  Dr suspense / Cr the chosen account for money in (the other way round for money out).
///
/// Runs inside the caller's READ COMMITTED transaction; transactions are locked before accounts.
extension Suspense {
    /// Purposes whose accounts have flows of their own and never take money that is not tuition. Money in transit is
    /// money not yet at the bank, so money already received there never goes back to it.
    static let purposesRefusedForNotTuition: Set<AccountPurpose> = [.bank, .cash, .receivable, .suspense, .familyCredit, .refundsPayable,
                                                                    .inTransit]

    /// Marks everything left of an incoming transaction as owed back to its sender.
    public static func markRefundDue(schoolID: Int64, transactionID: Int64, reason: String, decidedBy: String,
                                     on connection: PostgresConnection) throws(SuspenseError) -> SuspenseDisposition {
        try SuspenseError.wrapping {
            let reason = try checkedReason(reason)
            let (transaction, remaining) = try lockUndisposed(schoolID: schoolID, transactionID: transactionID, on: connection)
            guard transaction.direction == .incoming else { throw SuspenseError.wrongDirection(transactionID: transactionID, expected: .incoming) }
            let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
            let payable = try SuspenseLedger.account(schoolID: schoolID, purpose: .refundsPayable, on: connection)
            let dimensions = PostingDimensions(bankTransactionID: transactionID)
            let date = try SuspenseLedger.decisionDate(transaction.bookedOn, schoolID: schoolID, on: connection)
            return try record(DispositionDraft(
                schoolID: schoolID, transactionID: transactionID, kind: .refundDue, refundedTransactionID: nil, accountID: nil,
                amount: remaining, date: date, entryKind: .reclassification, reason: reason, decidedBy: decidedBy,
                description: "Chờ hoàn trả \(MoneyFormat.vietnamese(remaining)) cho người chuyển",
                postings: [PostingRequest(accountID: suspense, amount: remaining, dimensions: dimensions),
                           PostingRequest(accountID: payable, amount: remaining.negated, dimensions: dimensions)]), on: connection)
        }
    }

    /// Records that the outgoing bank line `outgoingTransactionID` paid the refund owed for
    /// `refundedTransactionID`: the refund payable is settled and the outgoing line leaves suspense.
    public static func recordRefundPaid(schoolID: Int64, refundedTransactionID: Int64, outgoingTransactionID: Int64, reason: String,
                                        decidedBy: String, on connection: PostgresConnection) throws(SuspenseError) -> SuspenseDisposition {
        try SuspenseError.wrapping {
            let reason = try checkedReason(reason)
            // Both rows locked in id order: two refunds racing over the same pair cannot deadlock.
            let ids = [refundedTransactionID, outgoingTransactionID].sorted()
            var locked: [Int64: BankTransaction] = [:]
            for id in ids { locked[id] = try SuspenseLedger.lock(schoolID: schoolID, transactionID: id, on: connection) }
            let refunded = locked[refundedTransactionID]!, outgoing = locked[outgoingTransactionID]!
            guard refunded.disposition == SuspenseDispositionKind.refundDue.rawValue else {
                throw SuspenseError.invalidField(field: "refunded_transaction_id", problem: "bank transaction \(refundedTransactionID) is not marked refund due")
            }
            guard outgoing.direction == .outgoing else { throw SuspenseError.wrongDirection(transactionID: outgoingTransactionID, expected: .outgoing) }
            let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
            let payableAccount = try SuspenseLedger.account(schoolID: schoolID, purpose: .refundsPayable, on: connection)
            let amount = try SuspenseLedger.remaining(outgoing, suspenseAccountID: suspense, on: connection)
            guard amount.isPositive else { throw SuspenseError.nothingInSuspense(transactionID: outgoingTransactionID) }
            let payable = (try LedgerQueries.balance(schoolID: schoolID, accountID: payableAccount, dimension: .bankTransaction,
                                                     id: refundedTransactionID, on: connection) ?? .zero).negated
            guard amount <= payable else { throw SuspenseError.refundExceedsPayable(amount: amount, payable: payable) }
            let date = try SuspenseLedger.decisionDate(max(outgoing.bookedOn, refunded.bookedOn), schoolID: schoolID, on: connection)
            return try record(DispositionDraft(
                schoolID: schoolID, transactionID: outgoingTransactionID, kind: .refundPaid, refundedTransactionID: refundedTransactionID,
                accountID: nil, amount: amount, date: date, entryKind: .refund, reason: reason, decidedBy: decidedBy,
                description: "Hoàn trả \(MoneyFormat.vietnamese(amount)) cho người chuyển (giao dịch \(refundedTransactionID))",
                postings: [PostingRequest(accountID: payableAccount, amount: amount, dimensions: PostingDimensions(bankTransactionID: refundedTransactionID)),
                           PostingRequest(accountID: suspense, amount: amount.negated, dimensions: PostingDimensions(bankTransactionID: outgoingTransactionID))]),
                on: connection)
        }
    }

    /// Marks what is left of a transaction as not tuition: it goes to (or, for money out, comes from)
    /// the chosen account — bank interest, a donation, the school's own transfer.
    public static func markNotTuition(schoolID: Int64, transactionID: Int64, account choice: SuspenseAccountChoice, reason: String,
                                      decidedBy: String, on connection: PostgresConnection) throws(SuspenseError) -> SuspenseDisposition {
        try SuspenseError.wrapping {
            let reason = try checkedReason(reason)
            let (transaction, remaining) = try lockUndisposed(schoolID: schoolID, transactionID: transactionID, on: connection)
            let target = try notTuitionAccount(schoolID: schoolID, choice, on: connection)
            let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
            let signed = transaction.direction == .incoming ? remaining : remaining.negated
            let date = try SuspenseLedger.decisionDate(transaction.bookedOn, schoolID: schoolID, on: connection)
            return try record(DispositionDraft(
                schoolID: schoolID, transactionID: transactionID, kind: .notTuition, refundedTransactionID: nil, accountID: target.accountID,
                amount: remaining, date: date, entryKind: .reclassification, reason: reason, decidedBy: decidedBy,
                description: "Không phải học phí: \(MoneyFormat.vietnamese(remaining)) sang tài khoản \(target.code)",
                postings: [PostingRequest(accountID: suspense, amount: signed, dimensions: PostingDimensions(bankTransactionID: transactionID)),
                           PostingRequest(accountID: target.accountID, amount: signed.negated)]), on: connection)
        }
    }

    /// Reverses the live disposition of a transaction (for money out, the refund it paid): the money
    /// is back in suspense. Dated like the disposition, or on the first open day when that month is closed.
    public static func reverseDisposition(schoolID: Int64, transactionID: Int64, reason: String,
                                          on connection: PostgresConnection) throws(SuspenseError) -> SuspenseDisposition {
        try SuspenseError.wrapping {
            let reason = try checkedReason(reason)
            _ = try SuspenseLedger.lock(schoolID: schoolID, transactionID: transactionID, on: connection)
            guard var disposition = try dispositions(schoolID: schoolID, transactionID: transactionID, on: connection)
                .last(where: { $0.reversalEntryID == nil }) else { throw SuspenseError.noDisposition(transactionID: transactionID) }
            if disposition.kind == .refundDue, try refundPaid(schoolID: schoolID, refundedTransactionID: transactionID, on: connection) {
                throw SuspenseError.refundAlreadyPaid(transactionID: transactionID)
            }
            let key = "suspense-disposition:\(disposition.id):reversal"
            let date = try SuspenseLedger.decisionDate(disposition.effectiveDate, schoolID: schoolID, on: connection)
            let request = try Reversals.request(schoolID: schoolID, entryID: disposition.entryID, effectiveDate: date, idempotencyKey: key,
                                                description: entryDescription("Hủy quyết định \(disposition.kind.rawValue) (giao dịch \(transactionID)): \(reason)"),
                                                on: connection)
            try Reversals.checkNotReversed(schoolID: schoolID, entryID: disposition.entryID, idempotencyKey: key, on: connection)
            let reversal = try LedgerWriter.post([request], on: connection)[0]
            try connection.query("""
                UPDATE suspense_dispositions SET reversal_entry_id = \(reversal.entryID), reversal_reason = \(reason)
                WHERE school_id = \(schoolID) AND disposition_id = \(disposition.id)
                """)
            if disposition.kind != .refundPaid {
                try connection.query("""
                    UPDATE bank_transactions SET disposition = NULL, disposition_entry_id = NULL
                    WHERE school_id = \(schoolID) AND bank_transaction_id = \(transactionID)
                    """)
            }
            disposition.reversalEntryID = reversal.entryID
            return disposition
        }
    }

    /// Every disposition recorded on the transaction, oldest first.
    public static func dispositions(schoolID: Int64, transactionID: Int64, on connection: PostgresConnection) throws -> [SuspenseDisposition] {
        try connection.query("""
            SELECT d.disposition_id, d.bank_transaction_id, d.kind, d.refunded_transaction_id, d.account_id, d.amount, d.entry_id,
                   e.effective_date, d.reason, d.decided_by, d.reversal_entry_id
            FROM suspense_dispositions d \(unescaped: LedgerReads.entryJoin(as: "e", school: "d.school_id", entry: "d.entry_id"))
            WHERE d.school_id = \(schoolID) AND d.bank_transaction_id = \(transactionID) ORDER BY d.disposition_id
            """).map(decodeDisposition)
    }
}
