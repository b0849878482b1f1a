import Dispatch
import Foundation

/// Runs blocking work (libpq calls, sleeps) on threads of its own and waits for all of them.
///
/// Not `DispatchQueue.concurrentPerform`: that runs at most as many iterations at once as there are
/// cores, so "8 writers" on a 2-core machine would be 2 writers, then the rest one after the other.
public enum BlockingThreads {
    public static let countMax = 256

    /// Calls `body(0)` … `body(count - 1)`, each on its own thread, all at once; returns when every one returned.
    public static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        precondition((1...countMax).contains(count), "1 to \(countMax) threads")
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                body(index)
                group.leave()
            }
        }
        group.wait()
    }
}
