import Billing
import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// The matcher's decision for a transaction, kept as JSON so auditors and the suspense queue see why.
public enum DecisionStore {
    /// The stored text of a decision (`MatchDecision.jsonText`: what `JSONDecoder` reads back, without `JSONEncoder`'s cost).
    static func json(_ decision: MatchDecision) -> String {
        decision.jsonText
    }

    public static func save(_ decision: MatchDecision, schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws {
        let text = json(decision)
        try connection.query("""
            UPDATE bank_transactions SET match_decision = \(PostgresJSON(text))
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
