import Glibc

/// One `epoll` instance with its event array. Owned by one event-loop thread.
final class Epoll {
    struct Event {
        var events: UInt32
        var data: UInt64
    }

    // `struct epoll_event` is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16 bytes).
    #if arch(x86_64)
    private static let eventStride = 12
    private static let dataOffset = 4
    #else
    private static let eventStride = 16
    private static let dataOffset = 8
    #endif

    let descriptor: Int32
    let capacity: Int
    private let buffer: UnsafeMutableRawPointer

    /// Creates an epoll descriptor (on the thread that can report the error).
    static func create() throws(SystemCallError) -> Int32 {
        try SystemCall.run("epoll_create1") { LinuxSymbols.epollCreate1(Int32(O_CLOEXEC)) }
    }

    /// Takes ownership of `descriptor`, from `create()`.
    init(adopting descriptor: Int32, eventsPerWaitMax: Int) {
        precondition(eventsPerWaitMax > 0 && descriptor >= 0)
        self.descriptor = descriptor
        capacity = eventsPerWaitMax
        buffer = UnsafeMutableRawPointer.allocate(byteCount: eventsPerWaitMax * Self.eventStride, alignment: 8)
    }

    deinit {
        buffer.deallocate()
        SystemCall.close(descriptor)
    }

    func add(_ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        try control(LinuxSymbols.epollCtlAdd, fd, events: events, data: data)
    }

    func modify(_ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        try control(LinuxSymbols.epollCtlMod, fd, events: events, data: data)
    }

    func remove(_ fd: Int32) throws(SystemCallError) {
        try control(LinuxSymbols.epollCtlDel, fd, events: 0, data: 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns the number of events ready.
    func wait(timeoutMilliseconds: Int32) throws(SystemCallError) -> Int {
        let count = try SystemCall.run("epoll_wait") {
            LinuxSymbols.epollWait(descriptor, buffer, Int32(capacity), timeoutMilliseconds)
        }
        return Int(count)
    }

    func event(at index: Int) -> Event {
        precondition(index >= 0 && index < capacity)
        let base = buffer + index * Self.eventStride
        return Event(
            events: base.loadUnaligned(as: UInt32.self),
            data: (base + Self.dataOffset).loadUnaligned(as: UInt64.self))
    }

    private func control(_ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        var raw = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &raw) { bytes in
            bytes.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: data, toByteOffset: Self.dataOffset, as: UInt64.self)
        }
        _ = try SystemCall.run("epoll_ctl") {
            withUnsafeMutableBytes(of: &raw) { LinuxSymbols.epollCtl(descriptor, operation, fd, $0.baseAddress) }
        }
    }
}
