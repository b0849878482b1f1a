/// The classes of the two-key advisory locks `pg_advisory_xact_lock(class, key)`: the only list of them.
/// The SQL side uses the period class too (migration 0001's `ledger_entries_inserted` trigger, shared;
/// migration 0010's history guard, exclusive), written there as the literal 7001.
///
/// A transaction that needs several takes them by ascending `order` (and several locks of one class in
/// ascending key order); between steps it takes row locks as docs/architecture.md "Lock order" lists.
/// Taking them the same way everywhere is what keeps two transactions from waiting on each other.
public enum AdvisoryLockClass: Int32, CaseIterable, Sendable {
    /// Key: a bank account id. Statement imports and callback batches, per account.
    case bankAccount = 7004
    /// Key: a bank account id. Exclusive, around a late callback's recognition of a statement line
    /// (`LateCallbacks`), while the batch holds the account's lock shared.
    case lateCallbackRecognition = 7005
    /// Key: `hashtext(payment key)`. One payment applied once (a collision only serialises two payments).
    case paymentKey = 7003
    /// Key: a school id. One issuing run per school.
    case invoiceIssuing = 7002
    /// Key: a school id. Shared by every ledger insert, exclusive by closing, reopening or locking a period.
    case period = 7001

    /// Position in the lock order: lower first. Payment keys and issuing runs never meet in one
    /// transaction, so they share a step.
    public var order: Int {
        switch self {
        case .bankAccount: return 1
        case .lateCallbackRecognition: return 2
        case .paymentKey, .invoiceIssuing: return 3
        case .period: return 5
        }
    }

    /// The lock key of a 64-bit id (a school or a bank account): PostgreSQL's two-key form takes int4.
    public static func key(_ id: Int64) -> Int32 { Int32(id % 2_147_483_647) }
}
