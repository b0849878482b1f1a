import Dispatch
import Foundation
import Synchronization

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

    /// `body(0)` … `body(count - 1)` on `threads` threads, each taking the next index; the results in
    /// index order. The first error stops the indices not yet taken and is thrown.
    public static func map<T: Sendable>(count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let next = Mutex(0)
        let results = Mutex<[Int: T]>([:])
        let failure = Mutex<(any Error)?>(nil)
        run(count: threads) { _ in
            while failure.withLock({ $0 == nil }) {
                let index = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < count else { return }
                do {
                    let result = try body(index)
                    results.withLock { $0[index] = result }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { results in (0..<count).map { results[$0]! } }
    }
}
