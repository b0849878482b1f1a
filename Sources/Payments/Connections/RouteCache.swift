import Synchronization

/// Routes of bank callbacks and collection requests kept in memory, so a delivery does not pay a
/// database transaction for them before its school's commit lane.
///
/// An entry is used only while `ConnectionChanges` is listening and no change was seen since it was
/// read (the generation it was read under is still current), and for at most `ageMaxSeconds`, a
/// backstop for changes made without the notifying triggers (e.g. by the owner with triggers off).
/// Without a listener (`changes` nil) entries live `ageMaxSeconds` alone. Bounded: past `entriesMax`
/// the cache is emptied.
final class RouteCache<Value: Sendable>: Sendable {
    static var entriesMax: Int { 10_000 }

    struct Entry: Sendable {
        let value: Value
        let generation: UInt64?
        let storedAt: ContinuousClock.Instant
    }

    let changes: ConnectionChanges?
    let ageMax: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(changes: ConnectionChanges?, ageMaxSeconds: Double) {
        self.changes = changes
        self.ageMax = .milliseconds(Int64(ageMaxSeconds * 1_000))
    }

    /// The cached value of `key` when one may be used now, without loading: for a thread that must not
    /// block (the door on an event loop). nil: not cached, too old, read before a change, or no listener.
    func cached(_ key: String) -> Value? {
        let generation: UInt64?
        if let changes {
            guard let listening = changes.listeningGeneration else { return nil }
            generation = listening
        } else {
            generation = nil
        }
        guard let entry = entries.withLock({ $0[key] }), entry.generation == generation, ContinuousClock.now - entry.storedAt < ageMax else {
            return nil
        }
        return entry.value
    }

    /// The cached value of `key`, or `load()`'s, kept when nothing changed while it was loading.
    /// `fresh` skips the cache (a signature that failed with a cached route is checked again).
    func value(for key: String, fresh: Bool = false, load: () throws -> Value) rethrows -> (value: Value, cached: Bool) {
        let generation: UInt64?
        if let changes {
            guard let listening = changes.listeningGeneration else { return (try load(), false) }
            generation = listening
        } else {
            generation = nil
        }
        let now = ContinuousClock.now
        if !fresh, let value = cached(key) { return (value, true) }
        let value = try load()
        // A change seen while loading may have been read before it committed: not kept.
        guard changes?.listeningGeneration == generation else { return (value, false) }
        entries.withLock { entries in
            if entries.count >= Self.entriesMax { entries.removeAll() }
            entries[key] = Entry(value: value, generation: generation, storedAt: now)
        }
        return (value, false)
    }
}
