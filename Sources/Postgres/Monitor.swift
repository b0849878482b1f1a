import Glibc

/// A mutex with a condition variable around some state: the one place the program blocks threads
/// on a condition (the pool's checkout, the callbacks' group commit). `Synchronization.Mutex` has no condition variable, so this wraps pthreads.
///
/// `@unchecked Sendable` is sound because `state` is only touched inside `withLock`,
/// while the pthread mutex is held.
public final class Monitor<State>: @unchecked Sendable {
    private var state: State
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    public init(_ state: State) {
        self.state = state
        precondition(pthread_mutex_init(&mutex, nil) == 0)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Deadlines are measured on the monotonic clock so wall-clock jumps cannot stretch a timeout.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        precondition(pthread_cond_init(&condition, &attributes) == 0)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    public func withLock<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&state)
    }

    /// Waits, with the lock held around `ready`, until `ready` returns a value or the
    /// monotonic deadline (in nanoseconds) passes; nil on timeout.
    public func wait<T>(untilNanoseconds deadline: UInt64, _ ready: (inout State) -> T?) -> T? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while true {
            if let value = ready(&state) { return value }
            var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            if pthread_cond_timedwait(&condition, &mutex, &time) == ETIMEDOUT {
                return ready(&state)
            }
        }
    }

    public func broadcast() {
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    public func signal() {
        pthread_mutex_lock(&mutex)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }
}

/// Nanoseconds on the monotonic clock.
public func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
