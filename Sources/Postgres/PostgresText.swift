import CivilCalendar

/// Parsing and printing of PostgreSQL's text formats, on raw bytes (no Foundation on the hot path).
enum PostgresText {
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> Int64 {
        guard !bytes.isEmpty, bytes.count <= 20 else { throw .malformed }
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count else { throw .malformed }
        var value: Int64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            // A numeric column may carry a zero fraction (`12.00`); anything else is not an integer.
            if byte == UInt8(ascii: ".") {
                guard bytes[(index + 1)...].allSatisfy({ $0 == UInt8(ascii: "0") }) else { throw .malformed }
                break
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw .malformed }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { throw .outOfRange }
            value = next
            index += 1
        }
        return value
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `bytea` in hex output format: `\x` followed by pairs of hex digits.
    static func bytea(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw .malformed
        }
        var output = [UInt8]()
        output.reserveCapacity((bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else { throw .malformed }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Elements of a one-dimensional array literal `{a,"b c",NULL}`; nil for NULL.
    static func arrayElements(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> [String?] {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { throw .malformed }
        var elements: [String?] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var index = 1
        let end = bytes.count - 1
        if end == 1 { return [] }
        while index <= end {
            let byte = index < end ? bytes[index] : UInt8(ascii: ",")
            if quoted {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < end else { throw .malformed }
                    current.append(bytes[index])
                } else if byte == UInt8(ascii: "\"") {
                    quoted = false
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
                wasQuoted = true
            } else if byte == UInt8(ascii: ",") {
                let text = String(decoding: current, as: UTF8.self)
                elements.append(!wasQuoted && text == "NULL" ? nil : text)
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") {
                throw .malformed // nested arrays are not supported
            } else {
                current.append(byte)
            }
            index += 1
        }
        guard !quoted else { throw .malformed }
        return elements
    }

    // MARK: Dates and times

    /// 2000-01-01 00:00 UTC, where PostgreSQL's binary timestamps count from, in Unix microseconds.
    static let postgresEpochMicrosecondsSinceUnixEpoch: Int64 = 946_684_800_000_000

    static func timestamp(microsecondsSinceEpoch: Int64) -> String {
        var days = microsecondsSinceEpoch / 86_400_000_000
        var rest = microsecondsSinceEpoch % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let date = CivilDay(daysSinceEpoch: Int(days))
        let seconds = Int(rest / 1_000_000)
        let micros = Int(rest % 1_000_000)
        var text = pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2) + " "
        text += pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        if micros != 0 { text += "." + pad(micros, 6) }
        return text + "+00"
    }

    /// `YYYY-MM-DD HH:MM:SS[.f{1,6}][+HH[:MM[:SS]]]` → microseconds since the epoch (UTC).
    static func timestampMicroseconds(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> Int64 {
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":") else { throw .malformed }
        let days = try dateDays(UnsafeBufferPointer(rebasing: bytes[0..<10]))
        let hour = try number(bytes, 11, 2), minute = try number(bytes, 14, 2), second = try number(bytes, 17, 2)
        guard hour < 24, minute < 60, second < 61 else { throw .malformed }
        var index = 19
        var micros = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                guard digits < 6 else { throw .malformed }
                micros = micros * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw .malformed }
            for _ in digits..<6 { micros *= 10 }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { throw .malformed }
            var parts: [Int] = []
            index += 1
            while index < bytes.count {
                guard parts.count < 3 else { throw .malformed }
                parts.append(try number(bytes, index, 2))
                index += 2
                if index < bytes.count {
                    guard bytes[index] == UInt8(ascii: ":") else { throw .malformed }
                    index += 1
                }
            }
            guard !parts.isEmpty else { throw .malformed }
            offsetSeconds = parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
            if sign == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
        }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1_000_000 + Int64(micros)
    }

    /// `YYYY-MM-DD` → days since 1970-01-01.
    static func dateDays(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> Int {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { throw .malformed }
        let year = try number(bytes, 0, 4), month = try number(bytes, 5, 2), day = try number(bytes, 8, 2)
        guard (1...12).contains(month), (1...31).contains(day) else { throw .malformed }
        return CivilDay(year: year, month: month, day: day).daysSinceEpoch
    }

    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) throws(PostgresDecodingFailure) -> Int {
        guard start + count <= bytes.count else { throw .malformed }
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw .malformed }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
