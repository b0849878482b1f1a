import Glibc

/// Linux calls that Swift's `Glibc` module does not import: its module map leaves out `<sys/epoll.h>` and
/// `<sys/eventfd.h>`, and GNU extensions (`accept4`, `pthread_setname_np`) are hidden. `Package.swift` is fixed,
/// so instead of a C shim each symbol is bound once through `dlsym` with its exact C function type;
/// glibc has exported all of them since 2.12.
enum LinuxSymbols {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (
        Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
    ) -> Int32

    typealias PthreadSetName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

    static let pthreadSetName: PthreadSetName = bind("pthread_setname_np")
    static let epollCreate1: EpollCreate1 = bind("epoll_create1")
    static let epollCtl: EpollCtl = bind("epoll_ctl")
    static let epollWait: EpollWait = bind("epoll_wait")
    static let eventFD: EventFD = bind("eventfd")
    static let accept4: Accept4 = bind("accept4")

    // Constants from <sys/epoll.h> and <sys/eventfd.h>; part of the Linux ABI.
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollRdHup: UInt32 = 0x2000
    static let epollExclusive: UInt32 = 1 << 28
    static let epollEdgeTriggered: UInt32 = 1 << 31
    static let epollCtlAdd: Int32 = 1
    static let epollCtlDel: Int32 = 2
    static let epollCtlMod: Int32 = 3

    private static func bind<Function>(_ name: String) -> Function {
        guard let symbol = dlsym(nil, name) else {
            preconditionFailure("glibc does not export \(name)")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
