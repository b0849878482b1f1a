import Billing
import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Applies a newly booked bank transaction to invoices when the matcher is certain (a virtual
/// account, or payment codes whose check character validates); anything else stays in suspense
/// for the accountant, with the matcher's decision stored for the suspense queue.
/// Runs inside the caller's transaction (a callback's, or a statement import's).
public struct RealtimeApplication: Sendable {
    public static let recordedBy = "automatic matching"

    public init() {}

    /// Returns a one-line explanation of what was decided.
    public func apply(schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws -> String {
        guard let school = try Schools.find(id: schoolID, on: connection),
              let transaction = try BankTransactions.find(schoolID: schoolID, id: bankTransactionID, on: connection) else {
            preconditionFailure("bank transaction \(bankTransactionID) of school \(schoolID) vanished inside its transaction")
        }
        let input = MatchTransaction(id: transaction.id, amount: transaction.amount, bookingDate: transaction.bookedOn,
                                     memo: transaction.memo, payerName: transaction.payerName, virtualAccount: transaction.virtualAccount)
        let decision = try SchoolMatchData.targeted(school: school, transaction: input, on: connection).match(input)
        try DecisionStore.save(decision, schoolID: schoolID, bankTransactionID: transaction.id, on: connection)
        guard decision.isAutomatic else { return "in suspense: \(decision.explanation)" }
        let credit: Money
        var holder: CreditHolder?
        switch decision.remainderDisposition {
        case .none: credit = .zero
        case .credit(let creditHolder):
            credit = decision.remainder
            holder = creditHolder
        case .unapplied:
            preconditionFailure("an automatic decision leaves nothing unapplied")
        }
        // A failed application (an invoice paid meanwhile, a closed period) leaves the money in
        // suspense; the booking still commits, so the sender's money is stored either way.
        try connection.simpleQuery(unsafeSQL: "SAVEPOINT automatic_application")
        do {
            _ = try DecisionApplication.apply(transaction, allocations: decision.allocations, credit: credit, creditHolder: holder,
                                              rule: decision.rule.rawValue, explanation: decision.explanation,
                                              paymentKey: DecisionApplication.paymentKey(bankTransactionID: transaction.id),
                                              recordedBy: RealtimeApplication.recordedBy, on: connection)
            try connection.simpleQuery(unsafeSQL: "RELEASE SAVEPOINT automatic_application")
            return "applied (\(decision.rule.rawValue)): \(decision.explanation)"
        } catch let error as BillingError {
            if case .database = error { throw error }
            try connection.simpleQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT automatic_application")
            return "in suspense: automatic application refused (\(error.code)): \(error)"
        }
    }
}

/// The matcher's decision for a transaction, kept as JSON so auditors and the suspense queue see why.
public enum DecisionStore {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static func save(_ decision: MatchDecision, schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws {
        let json = String(decoding: try encoder.encode(decision), as: UTF8.self)
        try connection.query("""
            UPDATE bank_transactions SET match_decision = \(PostgresJSON(json))
            WHERE school_id = \(schoolID) AND bank_transaction_id = \(bankTransactionID)
            """)
    }

    public static func load(schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws -> MatchDecision? {
        guard let row = try connection.query("""
            SELECT match_decision::text FROM bank_transactions WHERE school_id = \(schoolID) AND bank_transaction_id = \(bankTransactionID)
            """).singleRow(), let text = try row.decode(column: 0, as: String?.self) else { return nil }
        return try JSONDecoder().decode(MatchDecision.self, from: Data(text.utf8))
    }
}
