import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// Applying a suspended transaction's money as the accountant chooses, in one step or several,
/// and undoing an application. Runs inside the caller's READ COMMITTED transaction.
extension Suspense {
    /// The rule recorded on applications an accountant chose.
    public static let manualRule = "suspense_manual"

    /// The payment key of the `step`-th application of a transaction's money from the queue.
    public static func paymentKey(transactionID: Int64, step: Int) -> String { "suspense:\(transactionID):\(step)" }

    /// Applies money of `transactionID` to the invoices and credit of `request`: never more than is
    /// left in suspense. Each call is one step with its own payment key, so a transaction can be
    /// applied partly now and the rest later; a retry naming the same step returns the first result.
    public static func apply(schoolID: Int64, transactionID: Int64, _ request: SuspenseApplicationRequest, recordedBy: String,
                             on connection: PostgresConnection) throws(SuspenseError) -> PaymentApplicationResult {
        try SuspenseError.wrapping {
            let transaction = try SuspenseLedger.lock(schoolID: schoolID, transactionID: transactionID, on: connection)
            guard transaction.direction == .incoming else { throw SuspenseError.wrongDirection(transactionID: transactionID, expected: .incoming) }
            let amount = try Money.sum(request.allocations.map(\.amount)).adding(request.credit)
            guard amount.isPositive, !request.credit.isNegative, request.allocations.allSatisfy({ $0.amount.isPositive }) else {
                throw SuspenseError.invalidField(field: "allocations", problem: "amounts must be positive and the credit zero or more")
            }
            let next = try nextStep(schoolID: schoolID, transactionID: transactionID, on: connection)
            let step = request.step ?? next
            guard (1...next).contains(step) else {
                throw SuspenseError.invalidField(field: "step", problem: "the next step of transaction \(transactionID) is \(next)")
            }
            if step == next {
                // A new step: the money must still be there (a replay is checked against its first request instead).
                if let disposition = transaction.disposition {
                    throw SuspenseError.alreadyDisposed(transactionID: transactionID, disposition: disposition)
                }
                let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
                let remaining = try SuspenseLedger.remaining(transaction, suspenseAccountID: suspense, on: connection)
                guard remaining.isPositive else { throw SuspenseError.nothingInSuspense(transactionID: transactionID) }
                guard amount <= remaining else {
                    throw SuspenseError.exceedsRemaining(transactionID: transactionID, requested: amount, remaining: remaining)
                }
            }
            return try DecisionApplication.apply(
                transaction, allocations: request.allocations.map { Allocation(invoiceId: $0.invoiceID, amount: $0.amount) },
                credit: request.credit, creditHolder: try creditHolder(request), rule: manualRule,
                explanation: try explanation(request.explanation), paymentKey: paymentKey(transactionID: transactionID, step: step),
                recordedBy: recordedBy, on: connection)
        }
    }

    /// Undoes one application of the transaction's money (a reversal entry): the money is back in
    /// suspense and the invoice owes it again. Dated like the application (or on the first open day
    /// when its month is closed), so balances at any month end stay consistent.
    public static func unapply(schoolID: Int64, transactionID: Int64, applicationID: Int64, reason: String,
                               on connection: PostgresConnection) throws(SuspenseError) -> UnappliedPayment {
        try SuspenseError.wrapping {
            _ = try SuspenseLedger.lock(schoolID: schoolID, transactionID: transactionID, on: connection)
            guard let application = try Applications.find(schoolID: schoolID, applicationID: applicationID, on: connection),
                  try belongs(application, to: transactionID, schoolID: schoolID, on: connection) else {
                throw SuspenseError.unknownApplication(applicationID)
            }
            let original = try SuspenseLedger.entryDate(schoolID: schoolID, entryID: application.entryID, on: connection)
            let date = try SuspenseLedger.decisionDate(original, schoolID: schoolID, on: connection)
            return try Applications.unapply(schoolID: schoolID, applicationID: applicationID, reason: reason, effectiveDate: date,
                                            on: connection)
        }
    }

    /// 1 + the steps already taken from the queue for this transaction.
    static func nextStep(schoolID: Int64, transactionID: Int64, on connection: PostgresConnection) throws -> Int {
        let count = try Applications.paymentCount(schoolID: schoolID, bankTransactionID: transactionID, keyPrefix: "suspense:\(transactionID):",
                                                  on: connection)
        return count + 1
    }

    static func belongs(_ application: AppliedPayment, to transactionID: Int64, schoolID: Int64, on connection: PostgresConnection) throws -> Bool {
        try Applications.belongs(applicationID: application.applicationID, toBankTransaction: transactionID, schoolID: schoolID,
                                 on: connection)
    }

    static func creditHolder(_ request: SuspenseApplicationRequest) throws -> CreditHolder? {
        if let student = request.creditStudentID { return .student(student) }
        guard !request.credit.isPositive || !request.allocations.isEmpty else {
            throw SuspenseError.invalidField(field: "credit_student_id", problem: "required when money is kept as credit and no invoice is paid")
        }
        return nil
    }

    static func explanation(_ text: String) throws -> String {
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !collapsed.isEmpty, collapsed.count <= BillingLimits.explanationBytesMax else {
            throw SuspenseError.invalidField(field: "explanation", problem: "why, in 1 to \(BillingLimits.explanationBytesMax) characters")
        }
        return collapsed
    }
}
