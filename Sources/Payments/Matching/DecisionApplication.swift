import Billing
import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Turns a matcher decision (or an accountant's choice) into a Billing payment application of a
/// bank transaction's money, inside the caller's transaction.
public enum DecisionApplication {
    /// Who the records name for applications the matcher made without a person.
    public static let automaticRecordedBy = "automatic matching"

    /// The payment key of a bank transaction's automatic application: one per transaction.
    public static func paymentKey(bankTransactionID: Int64) -> String { "bank:\(bankTransactionID)" }

    /// Applies `allocations` (+ `credit` kept by `creditHolder`) from the transaction's suspense balance.
    public static func apply(_ transaction: BankTransaction, allocations: [Allocation], credit: Money, creditHolder: CreditHolder?,
                             rule: String, explanation: String, paymentKey: String, recordedBy: String,
                             on connection: PostgresConnection) throws -> PaymentApplicationResult {
        let studentIDs = try students(schoolID: transaction.schoolID, allocations: allocations, creditHolder: creditHolder, on: connection)
        let request = PaymentRequest(
            schoolID: transaction.schoolID, source: .bankTransaction(id: transaction.id, reference: transaction.bankReference),
            paymentKey: paymentKey, receivedOn: try openDate(transaction, on: connection),
            payerName: transaction.payerName.flatMap { $0.isEmpty ? nil : $0 } ?? "Người chuyển khoản",
            studentIDs: studentIDs, allocations: allocations.map { PaymentAllocation(invoiceID: $0.invoiceId, amount: $0.amount) },
            credit: credit, rule: rule, explanation: StatementText.sanitized(explanation, characterMax: BillingLimits.explanationBytesMax),
            recordedBy: recordedBy)
        return try PaymentApplication.apply(request, on: connection)
    }

    /// The students paid, the credit holder's first (it keeps the credit), each once.
    static func students(schoolID: Int64, allocations: [Allocation], creditHolder: CreditHolder?, on connection: PostgresConnection) throws -> [Int64] {
        try students(schoolID: schoolID, payments: [(allocations, creditHolder)], on: connection)[0]
    }

    /// `students` for many payments of one school, in at most two queries whatever their count
    /// (a group commit of callbacks applies many at once). `knownStudentOfInvoice`: invoices whose
    /// student was read earlier in this transaction (the matcher's own view; an invoice never changes
    /// student), not read again — when it covers every allocation, the invoices cost no statement.
    static func students(schoolID: Int64, payments: [(allocations: [Allocation], creditHolder: CreditHolder?)],
                         knownStudentOfInvoice: [Int64: Int64] = [:], on connection: PostgresConnection) throws -> [[Int64]] {
        let invoiceIDs = Set(payments.flatMap { $0.allocations.map(\.invoiceId) }).filter { knownStudentOfInvoice[$0] == nil }
        let studentOfInvoice = try InvoiceQueries.studentIDs(schoolID: schoolID, invoiceIDs: invoiceIDs.sorted(), on: connection)
            .merging(knownStudentOfInvoice) { read, _ in read }
        let familyIDs = Set(payments.compactMap { familyID($0.creditHolder) })
        let firstOfFamily = try Students.firstOfFamilies(schoolID: schoolID, familyIDs: familyIDs.sorted(), on: connection)
        return payments.map { payment in
            var ordered: [Int64] = []
            switch payment.creditHolder {
            case .student(let id): ordered.append(id)
            case .family: if let first = familyID(payment.creditHolder).flatMap({ firstOfFamily[$0] }) { ordered.append(first) }
            case nil: break
            }
            for id in Set(payment.allocations.compactMap { studentOfInvoice[$0.invoiceId] }).sorted() where !ordered.contains(id) {
                ordered.append(id)
            }
            return ordered
        }
    }

    /// Families are keyed "family-<id>" in match data (SchoolMatchData).
    private static func familyID(_ holder: CreditHolder?) -> Int64? {
        guard case .family(let key) = holder else { return nil }
        return Int64(key.dropFirst("family-".count))
    }

    /// The booking date, or the first open day when its month is closed.
    static func openDate(_ transaction: BankTransaction, on connection: PostgresConnection) throws -> CalendarDate {
        BankTransactions.openDate(transaction.bookedOn, closedThrough: try Periods.closedThrough(schoolID: transaction.schoolID, on: connection))
    }
}
