import Glibc

/// Called on its event loop's thread when a socket it watches has input, an error or a hang-up.
public protocol LoopSocketWatcher: AnyObject {
    func socketReadable()
}

/// Sockets of other protocols that an event loop watches beside its HTTP connections — a database
/// connection a loop-first handler started a statement on — and the state such handlers keep per
/// loop. Lets a request that needs one database read be answered on the loop that read it, without
/// a worker thread's wake-up and sleep (docs/collection.md, "Inquiries on the event loop").
///
/// Confined to its loop's thread: `current` is set only while that thread runs the loop, and every
/// method checks it is called there. Registered level-triggered, so a watcher that leaves input
/// unread is called again on the next pass.
public final class LoopSockets: @unchecked Sendable {
    /// Sockets one loop watches at most.
    public static let watchedMax = 256
    /// Watcher tokens are epoll data values whose connection slot (low 32 bits) no HTTP connection can have; the
    /// high bits hold the index's generation, so an event of an unwatched socket never reaches the watcher that
    /// took its index later in the same pass.
    static let tokenSlotBase: UInt64 = 0xFFFF_0000

    /// The sockets of the event loop running on this thread; nil on any other thread.
    @TaskLocal public static var current: LoopSockets?

    private let epoll: Epoll
    private let owner: pthread_t
    private var watchers: [LoopSocketWatcher?] = []
    private var descriptors: [Int32] = []
    private var generations: [UInt32] = []
    private var freeIndices: [Int] = []
    private var states: [ObjectIdentifier: AnyObject] = [:]

    init(epoll: Epoll) {
        self.epoll = epoll
        owner = pthread_self()
    }

    /// A watched socket, for `unwatch`.
    public struct Token: Equatable, Sendable {
        let index: Int
    }

    /// Watches `descriptor` for input until `unwatch`; `watcher` is held strongly meanwhile.
    public func watch(_ descriptor: Int32, _ watcher: LoopSocketWatcher) throws(SystemCallError) -> Token {
        checkThread()
        guard let index = freeIndices.popLast() ?? (watchers.count < Self.watchedMax ? watchers.count : nil) else {
            throw SystemCallError(call: "watch", errno: EMFILE)
        }
        if index == watchers.count {
            watchers.append(nil)
            descriptors.append(-1)
            generations.append(0)
        }
        do {
            try epoll.add(descriptor, events: Epoll.input | Epoll.readHangUp, data: token(index))
        } catch {
            freeIndices.append(index)
            throw error
        }
        watchers[index] = watcher
        descriptors[index] = descriptor
        return Token(index: index)
    }

    /// Stops watching. Call before closing the socket, or — when another library closed it (libpq does, on a broken
    /// connection) — before returning to the loop: epoll dropped the closed socket itself, and its number cannot
    /// have been given to a socket of this loop in between.
    public func unwatch(_ token: Token) {
        checkThread()
        guard token.index < watchers.count, watchers[token.index] != nil else { return }
        epoll.removeIfRegistered(descriptors[token.index])
        watchers[token.index] = nil
        generations[token.index] &+= 1
        freeIndices.append(token.index)
    }

    /// The state `key`'s owner keeps on this loop, made by `make` on first use; released when the loop ends.
    public func state<State: AnyObject>(for key: ObjectIdentifier, make: () -> State) -> State {
        checkThread()
        if let state = states[key] as? State { return state }
        let state = make()
        states[key] = state
        return state
    }

    private func token(_ index: Int) -> UInt64 {
        UInt64(generations[index]) << 32 | (Self.tokenSlotBase + UInt64(index))
    }

    /// The watcher of an epoll event's data, if it is the token of a socket watched now.
    func watcher(for data: UInt64) -> LoopSocketWatcher? {
        let slot = data & 0xFFFF_FFFF
        guard slot >= Self.tokenSlotBase, slot < Self.tokenSlotBase + UInt64(watchers.count) else { return nil }
        let index = Int(slot - Self.tokenSlotBase)
        return token(index) == data ? watchers[index] : nil
    }

    /// True when `data` is a watcher's token, watched now or not (the listener's and the mailbox's are matched before).
    static func isWatcherToken(_ data: UInt64) -> Bool {
        let slot = data & 0xFFFF_FFFF
        return slot >= tokenSlotBase && slot < tokenSlotBase + UInt64(watchedMax)
    }

    /// The loop is ending: every socket unwatched, every kept state released (their connections closed).
    func closeAll() {
        for index in watchers.indices where watchers[index] != nil { unwatch(Token(index: index)) }
        states.removeAll()
    }

    private func checkThread() {
        precondition(pthread_equal(owner, pthread_self()) != 0, "loop sockets used off their event loop's thread")
    }
}
