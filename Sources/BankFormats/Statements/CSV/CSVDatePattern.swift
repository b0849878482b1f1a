import Core

/// A date layout such as `dd/MM/yyyy` or `dd/MM/yyyy HH:mm:ss`.
///
/// Tokens: `dd`/`d` day, `MM`/`M` month, `yyyy` year, `HH`/`H` hour, `mm` minute, `ss` second; any other
/// character must appear as is. Two-letter tokens take exactly two digits, one-letter tokens one or two.
/// The time is checked and dropped: statement lines carry dates.
public struct CSVDatePattern: Sendable, Equatable {
    enum Token: Equatable, Sendable {
        case day(exactDigits: Bool), month(exactDigits: Bool), year, hour(exactDigits: Bool), minute, second
        case literal(UInt8)
    }

    public let text: String
    let tokens: [Token]

    init(_ text: String) throws(CSVPatternError) {
        self.text = text
        var tokens: [Token] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let (token, length) = CSVDatePattern.token(bytes, at: index)
            tokens.append(token)
            index += length
        }
        let has = { (wanted: (Token) -> Bool) in tokens.contains(where: wanted) }
        guard has({ if case .day = $0 { true } else { false } }), has({ if case .month = $0 { true } else { false } }),
              has({ $0 == .year }) else {
            throw CSVPatternError(message: "date format '\(text)' needs a day, a month and yyyy")
        }
        guard !bytes.contains(where: { $0 >= 0x80 }) else { throw CSVPatternError(message: "date format '\(text)' must be ASCII") }
        self.tokens = tokens
    }

    private static func token(_ bytes: [UInt8], at index: Int) -> (Token, Int) {
        func run(_ letter: Character) -> Int {
            var length = 0
            while index + length < bytes.count && bytes[index + length] == UInt8(ascii: letter.unicodeScalars.first!) { length += 1 }
            return length
        }
        switch bytes[index] {
        case UInt8(ascii: "d"): let n = min(run("d"), 2); return (.day(exactDigits: n == 2), n)
        case UInt8(ascii: "M"): let n = min(run("M"), 2); return (.month(exactDigits: n == 2), n)
        case UInt8(ascii: "y") where run("y") >= 4: return (.year, 4)
        case UInt8(ascii: "H"): let n = min(run("H"), 2); return (.hour(exactDigits: n == 2), n)
        case UInt8(ascii: "m") where run("m") >= 2: return (.minute, 2)
        case UInt8(ascii: "s") where run("s") >= 2: return (.second, 2)
        default: return (.literal(bytes[index]), 1)
        }
    }

    /// `date` written in this pattern, the time as midnight: how a date cell of a workbook is handed
    /// to the CSV reader (`XLSXSheetRenderer`).
    func format(_ date: CalendarDate) -> String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = ""
        for token in tokens {
            switch token {
            case .day(let exact): text += padded(date.day, exact ? 2 : 1)
            case .month(let exact): text += padded(date.month, exact ? 2 : 1)
            case .year: text += padded(date.year, 4)
            case .hour(let exact): text += exact ? "00" : "0"
            case .minute, .second: text += "00"
            case .literal(let byte): text.unicodeScalars.append(UnicodeScalar(byte))
            }
        }
        return text
    }

    /// The date in `text`, nil if `text` does not follow the pattern or is not a real date.
    func date(_ text: ArraySlice<UInt8>) -> CalendarDate? {
        var cursor = text.startIndex
        var day = 0, month = 0, year = 0
        for token in tokens {
            switch token {
            case .literal(let byte):
                guard cursor < text.endIndex, text[cursor] == byte else { return nil }
                cursor += 1
            case .day(let exact): guard let value = digits(text, &cursor, min: exact ? 2 : 1, max: 2) else { return nil }; day = value
            case .month(let exact): guard let value = digits(text, &cursor, min: exact ? 2 : 1, max: 2) else { return nil }; month = value
            case .year: guard let value = digits(text, &cursor, min: 4, max: 4) else { return nil }; year = value
            case .hour(let exact): guard let value = digits(text, &cursor, min: exact ? 2 : 1, max: 2), value < 24 else { return nil }
            case .minute, .second: guard let value = digits(text, &cursor, min: 2, max: 2), value < 60 else { return nil }
            }
        }
        guard cursor == text.endIndex else { return nil }
        return try? CalendarDate(year: year, month: month, day: day)
    }

    private func digits(_ text: ArraySlice<UInt8>, _ cursor: inout Int, min: Int, max: Int) -> Int? {
        var value = 0
        var count = 0
        while count < max, cursor < text.endIndex, TextBytes.isDigit(text[cursor]) {
            value = value * 10 + Int(text[cursor] - 0x30)
            cursor += 1
            count += 1
        }
        return count >= min ? value : nil
    }
}

struct CSVPatternError: Error {
    var message: String
}
