import Synchronization

/// Per-address connection limits as pure state: how many connections each client address holds and how fast it
/// opens new ones. The event loops share one `ConnectionAdmission` around it; tests drive it with a fake clock.
public struct AddressAdmissionTable: Sendable {
    public enum Decision: Sendable, Equatable {
        /// `tracked`: counted against its address (release it on close). False for trusted proxies and when the
        /// table is full of live addresses.
        case admitted(tracked: Bool)
        /// The address already holds `connectionsPerAddressMax` connections.
        case tooManyConnections
        /// The address opened connections faster than its bucket allows.
        case tooManyNewConnections
    }

    struct Entry: Sendable {
        var open: Int
        var bucket: TokenBucket
    }

    /// A full table is pruned (addresses with no connection and a full bucket forgotten) at most this often.
    static let pruneIntervalNanoseconds: UInt64 = 1_000_000_000

    let limits: ProtectionConfiguration
    let trustedProxies: Set<String>
    private var entries: [String: Entry] = [:]
    private var prunedAt: UInt64?

    public init(limits: ProtectionConfiguration) {
        self.limits = limits
        trustedProxies = Set(limits.trustedProxies)
    }

    /// Addresses remembered now.
    public var trackedCount: Int { entries.count }

    /// Connections the table counts for `address`.
    public func openConnections(_ address: String) -> Int { entries[address]?.open ?? 0 }

    /// Decides whether a new connection from `address` may be served, and counts it if so.
    public mutating func admit(_ address: String, now: UInt64) -> Decision {
        if trustedProxies.contains(address) { return .admitted(tracked: false) }
        var entry: Entry
        if let existing = entries[address] {
            entry = existing
        } else {
            guard makeRoom(now: now) else { return .admitted(tracked: false) }
            entry = Entry(open: 0, bucket: TokenBucket(capacity: limits.newConnectionsPerAddressBurst,
                                                       perSecond: limits.newConnectionsPerAddressPerSecond, now: now))
        }
        // An address at its cap is refused before it spends a token, so refusals do not lock it out longer.
        guard entry.open < limits.connectionsPerAddressMax else { return .tooManyConnections }
        guard entry.bucket.take(now: now) else {
            entries[address] = entry
            return .tooManyNewConnections
        }
        entry.open += 1
        entries[address] = entry
        return .admitted(tracked: true)
    }

    /// A tracked connection of `address` closed.
    public mutating func release(_ address: String, now: UInt64) {
        guard var entry = entries[address] else { return }
        entry.open = max(entry.open - 1, 0)
        if entry.open == 0 && entry.bucket.isFull(now: now) {
            entries[address] = nil
        } else {
            entries[address] = entry
        }
    }

    /// True when a new address can be remembered, forgetting idle ones if the table is full.
    private mutating func makeRoom(now: UInt64) -> Bool {
        guard entries.count >= limits.addressesTrackedMax else { return true }
        if let prunedAt, now < prunedAt + Self.pruneIntervalNanoseconds { return false }
        prunedAt = now
        entries = entries.filter { $0.value.open > 0 || !$0.value.bucket.isFull(now: now) }
        return entries.count < limits.addressesTrackedMax
    }
}

/// The per-address table shared by the event loops of one server.
final class ConnectionAdmission: Sendable {
    private let table: Mutex<AddressAdmissionTable>

    init(limits: ProtectionConfiguration) {
        table = Mutex(AddressAdmissionTable(limits: limits))
    }

    func admit(_ address: String, now: UInt64) -> AddressAdmissionTable.Decision {
        table.withLock { $0.admit(address, now: now) }
    }

    func release(_ address: String, now: UInt64) {
        table.withLock { $0.release(address, now: now) }
    }

    var trackedCount: Int { table.withLock { $0.trackedCount } }
}
