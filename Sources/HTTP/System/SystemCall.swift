import Glibc

/// A failed system call: the call's name and the `errno` it returned.
///
/// Operating errors (a peer reset, a full file table) are thrown as this type. Errors that can only mean a bug in
/// this process (`EBADF`, `EFAULT`, `ENOTSOCK`) stop the program instead: continuing could touch another file.
public struct SystemCallError: Error, Equatable, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Every system call of the HTTP module goes through these wrappers: `EINTR` is retried, `EAGAIN` is reported as
/// `nil` by the non-blocking variant, and the error names the call.
enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; throws on any other failure (`-1`).
    @inline(__always)
    static func run<Result: BinaryInteger>(
        _ name: StaticString, _ body: () -> Result
    ) throws(SystemCallError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            stopOnProgrammerError(name, code)
            throw SystemCallError(call: "\(name)", errno: code)
        }
    }

    /// Like `run`, but returns `nil` when the call would block (`EAGAIN`/`EWOULDBLOCK`).
    @inline(__always)
    static func runNonBlocking<Result: BinaryInteger>(
        _ name: StaticString, _ body: () -> Result
    ) throws(SystemCallError) -> Result? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            stopOnProgrammerError(name, code)
            throw SystemCallError(call: "\(name)", errno: code)
        }
    }

    /// Closes a descriptor. `EINTR` is not retried: on Linux the descriptor is released even then, and a retry could
    /// close a descriptor another thread has just been given.
    static func close(_ descriptor: Int32) {
        precondition(descriptor >= 0, "close of a negative descriptor")
        if Glibc.close(descriptor) == -1 {
            let code = Glibc.errno
            stopOnProgrammerError("close", code)
        }
    }

    private static func stopOnProgrammerError(_ name: StaticString, _ code: Int32) {
        switch code {
        case EBADF, EFAULT, ENOTSOCK:
            preconditionFailure("\(name): \(String(cString: strerror(code))) — a bug in this process")
        default:
            return
        }
    }
}
