import Dispatch
import Synchronization

/// A fixed set of threads running handlers from a bounded queue.
///
/// Handlers block in libpq; the database pool is sized to `workerThreads`, so each worker in effect owns one
/// connection and never waits for a checkout. A full queue is refused (503) rather than grown.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private struct Queue: Sendable {
        var slots: [Job?]
        var head = 0
        var count = 0
        var stopping = false
    }

    private let queue: Mutex<Queue>
    private let ready = DispatchSemaphore(value: 0)
    private let running = DispatchGroup()
    private let busy = Atomic<Int>(0)
    let queueMax: Int

    init(queueMax: Int) {
        precondition(queueMax > 0)
        self.queueMax = queueMax
        queue = Mutex(Queue(slots: [Job?](repeating: nil, count: queueMax)))
    }

    var queueDepth: Int { queue.withLock { $0.count } }
    var busyWorkers: Int { busy.load(ordering: .relaxed) }

    func start(threads: Int) throws(SystemCallError) {
        for index in 0..<threads {
            running.enter()
            do {
                try OSThread.spawn(name: "http-worker-\(index)") { [self] in
                    work()
                    running.leave()
                }
            } catch {
                running.leave()
                throw error
            }
        }
    }

    /// Queues `job`; false when the queue is full or the pool is stopping.
    func submit(_ job: @escaping Job) -> Bool {
        let accepted = queue.withLock { queue in
            guard !queue.stopping, queue.count < queue.slots.count else { return false }
            queue.slots[(queue.head + queue.count) % queue.slots.count] = job
            queue.count += 1
            return true
        }
        if accepted { ready.signal() }
        return accepted
    }

    /// Lets queued jobs finish, then ends the threads; waits up to `timeoutNanoseconds`.
    /// Returns false if some worker was still inside a handler at the deadline.
    func stop(threads: Int, timeoutNanoseconds: UInt64) -> Bool {
        queue.withLock { $0.stopping = true }
        for _ in 0..<threads { ready.signal() }
        return running.wait(timeout: .now() + .nanoseconds(Int(min(timeoutNanoseconds, UInt64(Int.max))))) == .success
    }

    private func work() {
        while true {
            ready.wait()
            let next: Job?? = queue.withLock { queue in
                guard queue.count > 0 else { return queue.stopping ? .some(nil) : .none }
                let job = queue.slots[queue.head]
                queue.slots[queue.head] = nil
                queue.head = (queue.head + 1) % queue.slots.count
                queue.count -= 1
                return .some(job)
            }
            switch next {
            case .none:
                continue
            case .some(.none):
                return
            case .some(.some(let job)):
                busy.add(1, ordering: .relaxed)
                job()
                busy.subtract(1, ordering: .relaxed)
            }
        }
    }
}
