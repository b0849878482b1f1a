import Dispatch
import Synchronization

/// A fixed set of threads running handlers from two bounded queues.
///
/// Handlers block in libpq; the database pool is sized to the thread count, so each worker in effect owns one
/// connection and never waits for a checkout. A full queue is refused (503) rather than grown.
///
/// **Callbacks first.** `.critical` jobs (bank callbacks and collection) have their own queue, and `reserved`
/// threads take only those, so slow reports or a flood of other requests can occupy at most the other threads.
/// The other threads take critical jobs before general ones.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private struct Ring: Sendable {
        var slots: [Job?]
        var head = 0
        var count = 0

        init(capacity: Int) { slots = [Job?](repeating: nil, count: capacity) }

        mutating func push(_ job: @escaping Job) -> Bool {
            guard count < slots.count else { return false }
            slots[(head + count) % slots.count] = job
            count += 1
            return true
        }

        mutating func pop() -> Job? {
            guard count > 0 else { return nil }
            let job = slots[head]
            slots[head] = nil
            head = (head + 1) % slots.count
            count -= 1
            return job
        }
    }

    private struct Queues: Sendable {
        var critical: Ring
        var general: Ring
        var stopping = false
        /// Threads that found nothing to do and sleep (or are about to) on their semaphore, not yet
        /// claimed by a submitted job. A job wakes exactly one of them, of a kind that may run it.
        var idleReserved = 0
        var idleGeneral = 0
    }

    private let queues: Mutex<Queues>
    /// Signalled to wake one idle general thread.
    private let generalReady = DispatchSemaphore(value: 0)
    /// Signalled to wake one idle reserved thread.
    private let criticalReady = DispatchSemaphore(value: 0)
    private let running = DispatchGroup()
    private let busy = Atomic<Int>(0)
    private let busyReserved = Atomic<Int>(0)
    let queueMax: Int
    let criticalQueueMax: Int

    init(queueMax: Int, criticalQueueMax: Int) {
        precondition(queueMax > 0 && criticalQueueMax > 0)
        self.queueMax = queueMax
        self.criticalQueueMax = criticalQueueMax
        queues = Mutex(Queues(critical: Ring(capacity: criticalQueueMax), general: Ring(capacity: queueMax)))
    }

    /// Requests waiting on the general queue.
    var queueDepth: Int { queues.withLock { $0.general.count } }
    /// Requests waiting on the critical queue.
    var criticalQueueDepth: Int { queues.withLock { $0.critical.count } }
    var busyWorkers: Int { busy.load(ordering: .relaxed) }
    var busyReservedWorkers: Int { busyReserved.load(ordering: .relaxed) }

    /// Starts `threads` threads, `reserved` of which run only critical jobs.
    func start(threads: Int, reserved: Int) throws(SystemCallError) {
        precondition(reserved >= 0 && reserved < threads, "at least one worker must take general jobs")
        for index in 0..<threads {
            let onlyCritical = index < reserved
            running.enter()
            do {
                try OSThread.spawn(name: onlyCritical ? "http-critical-\(index)" : "http-worker-\(index)") { [self] in
                    work(onlyCritical: onlyCritical)
                    running.leave()
                }
            } catch {
                running.leave()
                throw error
            }
        }
    }

    /// Queues `job`; false when its queue is full or the pool is stopping.
    func submit(critical: Bool = false, _ job: @escaping Job) -> Bool {
        enum Wake { case none, reserved, general }
        let wake = queues.withLock { queues -> Wake? in
            guard !queues.stopping else { return nil }
            guard critical ? queues.critical.push(job) : queues.general.push(job) else { return nil }
            // One idle thread that may run the job is claimed and woken, a reserved one first for a
            // critical job. Waking one thread of each kind for every critical job (as before) cost a
            // wasted wake-up and task switch per callback. With none idle, every thread that may run the
            // job is busy and looks at the queues before it sleeps again: nothing is left waiting.
            if critical && queues.idleReserved > 0 {
                queues.idleReserved -= 1
                return .reserved
            }
            if queues.idleGeneral > 0 {
                queues.idleGeneral -= 1
                return .general
            }
            return Wake.none
        }
        guard let wake else { return false }
        switch wake {
        case .reserved: criticalReady.signal()
        case .general: generalReady.signal()
        case .none: break
        }
        return true
    }

    /// Lets queued jobs finish, then ends the threads; waits up to `timeoutNanoseconds`.
    /// Returns false if some worker was still inside a handler at the deadline.
    func stop(threads: Int, timeoutNanoseconds: UInt64) -> Bool {
        queues.withLock { $0.stopping = true }
        for _ in 0..<threads {
            generalReady.signal()
            criticalReady.signal()
        }
        return running.wait(timeout: .now() + .nanoseconds(Int(min(timeoutNanoseconds, UInt64(Int.max))))) == .success
    }

    private func work(onlyCritical: Bool) {
        let ready = onlyCritical ? criticalReady : generalReady
        while true {
            // The queues are looked at before sleeping: a job submitted while this thread was busy claimed
            // no idle thread, so it is this thread's (or another busy one's) to take.
            let next: Job?? = queues.withLock { queues in
                if let job = queues.critical.pop() { return .some(job) }
                if !onlyCritical, let job = queues.general.pop() { return .some(job) }
                if queues.stopping { return .some(nil) }
                if onlyCritical { queues.idleReserved += 1 } else { queues.idleGeneral += 1 }
                return .none
            }
            switch next {
            case .none:
                ready.wait()
                continue
            case .some(.none):
                return
            case .some(.some(let job)):
                busy.add(1, ordering: .relaxed)
                if onlyCritical { busyReserved.add(1, ordering: .relaxed) }
                job()
                busy.subtract(1, ordering: .relaxed)
                if onlyCritical { busyReserved.subtract(1, ordering: .relaxed) }
            }
        }
    }
}
