import Synchronization

/// Request ids: 24 lower-case hex digits, time-ordered: 12 of Unix milliseconds, 8 of a process-wide counter,
/// 4 of a per-process random salt (two processes started in the same millisecond still differ).
enum RequestID {
    private static let counter = Atomic<UInt32>(0)
    private static let salt = UInt16.random(in: .min ... .max)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Longest accepted incoming `X-Request-Id`.
    static let incomingBytesMax = 64

    static func make(wallMilliseconds: Int64 = Clock.wallMilliseconds()) -> String {
        let sequence = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 24) { buffer in
            write(UInt64(truncatingIfNeeded: wallMilliseconds), digits: 12, into: buffer, at: 0)
            write(UInt64(sequence), digits: 8, into: buffer, at: 12)
            write(UInt64(salt), digits: 4, into: buffer, at: 20)
            return 24
        }
    }

    /// An incoming `X-Request-Id` is kept when it is 1–64 characters of `[A-Za-z0-9._-]`.
    static func isAcceptable(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        guard (1...incomingBytesMax).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (0x30...0x39).contains(byte) || isLetter(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func write(_ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var remaining = value
        for position in stride(from: offset + digits - 1, through: offset, by: -1) {
            buffer[position] = hexDigits[Int(remaining & 0xF)]
            remaining >>= 4
        }
    }
}
