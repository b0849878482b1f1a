import Dispatch
import Foundation
import Synchronization
import Testing
@testable import HTTP

@Suite("Worker pool: callbacks first")
struct WorkerPoolTests {
    @Test("while every general worker is blocked, critical jobs still run on the reserved ones")
    func reservedWorkersServeCritical() throws {
        let pool = WorkerPool(queueMax: 16, criticalQueueMax: 16)
        try pool.start(threads: 3, reserved: 1)
        let release = DispatchSemaphore(value: 0)
        let generalStarted = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            #expect(pool.submit { generalStarted.signal(); release.wait() })
        }
        generalStarted.wait()
        generalStarted.wait()
        // Both general workers are blocked; more general work queues behind them.
        #expect(pool.submit {})
        let criticalDone = DispatchSemaphore(value: 0)
        let ranCritical = Atomic<Int>(0)
        for _ in 0..<5 {
            #expect(pool.submit(critical: true) { ranCritical.add(1, ordering: .relaxed); criticalDone.signal() })
        }
        for _ in 0..<5 { #expect(criticalDone.wait(timeout: .now() + 2) == .success) }
        #expect(ranCritical.load(ordering: .relaxed) == 5)
        #expect(pool.queueDepth == 1)
        release.signal()
        release.signal()
        #expect(pool.stop(threads: 3, timeoutNanoseconds: 2_000_000_000))
        #expect(pool.queueDepth == 0)
    }

    @Test("a reserved worker never takes general work, and each queue has its own cap")
    func queuesAreSeparate() throws {
        let pool = WorkerPool(queueMax: 1, criticalQueueMax: 2)
        try pool.start(threads: 2, reserved: 1)
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        #expect(pool.submit { started.signal(); release.wait() })
        started.wait()
        #expect(pool.submit {})
        #expect(!pool.submit {})
        usleep(100_000)
        // The reserved worker is idle but left the general job waiting.
        #expect(pool.queueDepth == 1)
        #expect(pool.busyReservedWorkers == 0)
        let done = DispatchSemaphore(value: 0)
        #expect(pool.submit(critical: true) { done.signal() })
        #expect(done.wait(timeout: .now() + 2) == .success)
        release.signal()
        #expect(pool.stop(threads: 2, timeoutNanoseconds: 2_000_000_000))
    }
}
