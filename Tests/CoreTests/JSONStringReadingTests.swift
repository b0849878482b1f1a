import Testing
@testable import Core

/// Strings are read straight from the input when they carry no escape, through a decoded copy
/// otherwise: both ways give the same values, the same length limit to the byte, the same errors.
@Suite struct JSONStringReadingTests {
    static let limits = JSONLimits(bytesMax: 1_000, depthMax: 4, valueCountMax: 10, stringBytesMax: 10, numberBytesMax: 5)

    static func parse(_ inner: [UInt8]) -> Result<JSONValue, JSONError> {
        do { return .success(try StrictJSONParser.parse(Array("[\"".utf8) + inner + Array("\"]".utf8), limits: limits)) } catch {
            return .failure(error)
        }
    }

    @Test func lengthLimitToTheByteEitherWay() {
        for length in 0...14 {
            let plain = Array(repeating: UInt8(ascii: "a"), count: length)
            let expected: Result<JSONValue, JSONError> = length <= 10 ? .success(.array([.string(String(repeating: "a", count: length))]))
                : .failure(JSONError(offset: 1, reason: .stringTooLong(limit: 10)))
            #expect(Self.parse(plain) == expected, "plain \(length)")
            // The same decoded length with an escape in it (`\n` is one decoded byte).
            guard length > 0 else { continue }
            let escaped = Array(repeating: UInt8(ascii: "a"), count: length - 1) + Array("\\n".utf8)
            let expectedEscaped: Result<JSONValue, JSONError> = length <= 10
                ? .success(.array([.string(String(repeating: "a", count: length - 1) + "\n")]))
                : .failure(JSONError(offset: 1, reason: .stringTooLong(limit: 10)))
            #expect(Self.parse(escaped) == expectedEscaped, "escaped \(length)")
        }
    }

    @Test func errorsEitherWay() {
        #expect(Self.parse([0x61, 0xFF]) == .failure(JSONError(offset: 1, reason: .invalidUTF8)))
        #expect(Self.parse([0x5C, 0x6E, 0xFF]) == .failure(JSONError(offset: 1, reason: .invalidUTF8)))
        #expect(Self.parse(Array("Nguyễn".utf8)) == .success(.array([.string("Nguyễn")])))
        #expect(Self.parse([0x61, 0x0A]) == .failure(JSONError(offset: 3, reason: .controlCharacter(0x0A))))
        #expect(throws: JSONError(offset: 4, reason: .unexpectedEnd)) { try StrictJSONParser.parse(Array("[\"ab".utf8), limits: Self.limits) }
    }
}
