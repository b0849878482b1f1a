import CSystem
import Glibc

/// One `epoll` instance with its event array. Owned by one event-loop thread.
final class Epoll {
    struct Event {
        var events: UInt32
        var data: UInt64
    }

    /// The event flags and `epoll_ctl` operations, from the C shim (checked there against <sys/epoll.h>).
    static let input = TUITION_EPOLLIN
    static let output = TUITION_EPOLLOUT
    static let error = TUITION_EPOLLERR
    static let hangUp = TUITION_EPOLLHUP
    static let readHangUp = TUITION_EPOLLRDHUP
    static let exclusive = TUITION_EPOLLEXCLUSIVE
    static let edgeTriggered = TUITION_EPOLLET

    let descriptor: Int32
    let capacity: Int
    private let buffer: UnsafeMutableRawPointer

    /// Creates an epoll descriptor (on the thread that can report the error).
    static func create() throws(SystemCallError) -> Int32 {
        try SystemCall.run("epoll_create1") { tuition_epoll_create1(Int32(O_CLOEXEC)) }
    }

    /// Takes ownership of `descriptor`, from `create()`.
    init(adopting descriptor: Int32, eventsPerWaitMax: Int) {
        precondition(eventsPerWaitMax > 0 && descriptor >= 0)
        self.descriptor = descriptor
        capacity = eventsPerWaitMax
        buffer = UnsafeMutableRawPointer.allocate(byteCount: eventsPerWaitMax * tuition_epoll_event_size(), alignment: 8)
    }

    deinit {
        buffer.deallocate()
        SystemCall.close(descriptor)
    }

    func add(_ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        try control(TUITION_EPOLL_CTL_ADD, fd, events: events, data: data)
    }

    func modify(_ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        try control(TUITION_EPOLL_CTL_MOD, fd, events: events, data: data)
    }

    func remove(_ fd: Int32) throws(SystemCallError) {
        try control(TUITION_EPOLL_CTL_DEL, fd, events: 0, data: 0)
    }

    /// `remove` for a socket another library may have closed already (libpq, on a broken connection): a closed
    /// socket has left the set by itself, so "not registered" and "not open" are both the outcome wanted.
    func removeIfRegistered(_ fd: Int32) {
        _ = tuition_epoll_ctl(descriptor, TUITION_EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns the number of events ready.
    func wait(timeoutMilliseconds: Int32) throws(SystemCallError) -> Int {
        let count = try SystemCall.run("epoll_wait") {
            tuition_epoll_wait(descriptor, buffer, Int32(capacity), timeoutMilliseconds)
        }
        return Int(count)
    }

    func event(at index: Int) -> Event {
        precondition(index >= 0 && index < capacity)
        var event = Event(events: 0, data: 0)
        tuition_epoll_event_get(buffer, Int32(index), &event.events, &event.data)
        return event
    }

    private func control(_ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        _ = try SystemCall.run("epoll_ctl") { tuition_epoll_ctl(descriptor, operation, fd, events, data) }
    }
}
