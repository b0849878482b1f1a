import CLibPQ
import Glibc

/// A connection of its own that LISTENs on one channel and waits for its notifications.
///
/// Not a pool connection: it sits in `wait` most of its life, and a pooled connection must never
/// hold notifications for another user (`checkIdleConnection` treats a readable idle socket as broken).
public final class PostgresListener: @unchecked Sendable {
    private let connection: PostgresConnection
    public let channel: String

    /// Connects and LISTENs. `channel` is a plain identifier (letters, digits, `_`), never user input.
    public init(configuration: PostgresConfiguration, channel: String) throws(PostgresError) {
        precondition(!channel.isEmpty && channel.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 < 0x80 && isalnum(Int32($0)) != 0) },
                     "a channel is a plain identifier")
        self.channel = channel
        connection = try PostgresConnection(configuration: configuration)
        do {
            try connection.simpleQuery(unsafeSQL: "LISTEN \(channel)")
        } catch {
            connection.close()
            throw error
        }
    }

    /// Waits up to `timeoutMilliseconds` for notifications on the channel and returns how many
    /// arrived (0 when the time ran out). Throws `connectionLost` when the server is gone: the
    /// caller must then assume it missed notifications.
    public func wait(timeoutMilliseconds: Int32) throws(PostgresError) -> Int {
        let pointer = connection.rawConnection
        var received = drain(pointer)
        guard received == 0 else { return received }
        var descriptor = pollfd(fd: PQsocket(pointer), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        guard ready != 0 else { return 0 }
        if ready < 0 && errno == EINTR { return 0 }
        guard ready > 0, PQconsumeInput(pointer) == 1, PQstatus(pointer) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, serverMessage: String(cString: PQerrorMessage(pointer)))
        }
        received = drain(pointer)
        return received
    }

    private func drain(_ pointer: OpaquePointer) -> Int {
        var count = 0
        while let notification = PQnotifies(pointer) {
            PQfreemem(notification)
            count += 1
        }
        return count
    }

    public func close() {
        connection.close()
    }
}
