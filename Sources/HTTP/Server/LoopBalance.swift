import Synchronization

/// How many connections each event loop owns, so that a new one goes to the loop owning fewest.
///
/// The listener wakes one loop, which accepts a whole burst of connections at once (a client opening its
/// pool of eight): without this they would all land on that loop, and a loop is one thread — the other core
/// would idle while that loop serves every request (docs/http.md, "Connections spread over the loops").
final class LoopBalance: Sendable {
    private let counts: Mutex<[Int]>

    init(loops: Int) {
        precondition(loops >= 1)
        counts = Mutex(Array(repeating: 0, count: loops))
    }

    /// The loop that will own a new connection — `accepting` unless another owns fewer — counted as owning it.
    func claim(accepting: Int) -> Int {
        counts.withLock { counts in
            var owner = accepting
            for loop in counts.indices where counts[loop] < counts[owner] { owner = loop }
            counts[owner] += 1
            return owner
        }
    }

    /// `loop` no longer owns a connection it claimed.
    func release(_ loop: Int) {
        counts.withLock { counts in
            precondition(counts[loop] > 0, "loop connection count out of step")
            counts[loop] -= 1
        }
    }

    /// Connections each loop owns now (`HTTPServer.loopConnectionCounts`, for tests).
    var snapshot: [Int] { counts.withLock { $0 } }
}
