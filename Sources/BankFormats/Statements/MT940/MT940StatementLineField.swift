import Core

/// The parts of an MT940 `:61:` field.
///
/// Grammar (first line): value date `YYMMDD`, optional entry date `MMDD`, mark `C`/`D`/`RC`/`RD`,
/// optional one-letter funds code, amount (up to 15 characters with a decimal comma), transaction type
/// (`S` + 3 digits or `N`/`F` + 3 alphanumerics), customer reference (`NONREF` if none), optional
/// `//` bank reference; then optional supplementary details on a second line.
///
/// What banks write outside that grammar while the money stays readable is read anyway and listed in
/// `tolerances` (docs/statements.md): a missing or over-long reference, an over-long amount, a space
/// before the amount, a value date that is no calendar day, over-long details.
struct MT940StatementLineField: Equatable {
    /// Nil when the value date as written is no calendar day (then `tolerances` says so).
    var valueDate: CalendarDate?
    var entryDate: CalendarDate?
    /// The entry date, else the value date, else (an impossible value date) the last day of its month.
    var bookingDate: CalendarDate
    /// True for `C` and `RD` (money in), false for `D` and `RC`.
    var isCredit: Bool
    var isReversal: Bool
    var fundsCode: String?
    /// The unsigned amount as written.
    var amountText: ArraySlice<UInt8>
    var transactionType: String
    /// Nil for `NONREF`.
    var customerReference: String?
    var bankReference: String?
    var supplementaryDetails: String?
    /// What was read outside the grammar, with a message for the warning.
    var tolerances: [Tolerated] = []

    struct Tolerated: Equatable {
        var tolerance: StatementTolerance
        var message: String
    }

    static let amountCharactersMax = 15
    static let referenceCharactersMax = 16
    static let supplementaryCharactersMax = 34

    /// Parses the field's content: lines separated by LF, tag removed.
    /// - Throws: `MT940FieldError` naming the part that is wrong.
    static func parse(_ content: ArraySlice<UInt8>) throws(MT940FieldError) -> MT940StatementLineField {
        let firstBreak = content.firstIndex(of: 0x0A)
        let first = content[content.startIndex..<(firstBreak ?? content.endIndex)]
        let second = firstBreak.map { content[($0 + 1)...] }
        guard second?.contains(0x0A) != true else { throw .init("has more than 2 lines (the second is supplementary details)") }
        var tolerated: [Tolerated] = []
        var cursor = first.startIndex
        let value = try readValueDate(first, &cursor, &tolerated)
        let entryDate = try readEntryDate(first, &cursor, near: value.nearest)
        let (isCredit, isReversal) = try readMark(first, &cursor)
        let fundsCode = readFundsCode(first, &cursor)
        skipBlankBeforeAmount(first, &cursor, &tolerated)
        let amountText = try readAmount(first, &cursor, &tolerated)
        let type = try readType(first, &cursor)
        let (customer, bank) = try readReferences(first[cursor...], &tolerated)
        var details: String?
        if let second = second.map(TextBytes.trimmed) {
            guard second.count <= StatementLimits.valueBytesMax else {
                throw .init("supplementary details are longer than \(StatementLimits.valueBytesMax) bytes")
            }
            if second.count > supplementaryCharactersMax {
                tolerated.append(Tolerated(tolerance: .longDetails, message:
                    "supplementary details \(TextBytes.quoted(second)) are longer than \(supplementaryCharactersMax) characters; kept whole"))
            }
            guard let text = TextBytes.utf8(second) else { throw .init("supplementary details are not UTF-8") }
            details = text.isEmpty ? nil : text
        }
        if value.date == nil, entryDate == nil, let index = tolerated.firstIndex(where: { $0.tolerance == .invalidValueDate }) {
            tolerated[index].message += "; no entry date, so booked on \(value.nearest.iso), the last day of that month"
        }
        return MT940StatementLineField(
            valueDate: value.date, entryDate: entryDate, bookingDate: entryDate ?? value.nearest, isCredit: isCredit,
            isReversal: isReversal, fundsCode: fundsCode, amountText: amountText, transactionType: type,
            customerReference: customer, bankReference: bank, supplementaryDetails: details, tolerances: tolerated)
    }

    /// The value date, and the calendar day nearest it: itself, or for a day past its month's end
    /// (`240230`, 30/360 interest dating) the month's last day, with a tolerance. A month outside 1–12 or
    /// a day outside 1–31 is no date at all.
    private static func readValueDate(_ line: ArraySlice<UInt8>, _ cursor: inout Int, _ tolerated: inout [Tolerated])
        throws(MT940FieldError) -> (date: CalendarDate?, nearest: CalendarDate) {
        let text = line[cursor..<min(cursor + 6, line.endIndex)]
        if let date = TextBytes.dateYYMMDD(text) {
            cursor += 6
            return (date, date)
        }
        guard text.count == 6, let yy = ASCIIDigits.value(text.prefix(2)), let month = ASCIIDigits.value(text.dropFirst(2).prefix(2)),
              let day = ASCIIDigits.value(text.suffix(2)), (1...12).contains(month), (1...31).contains(day),
              let lastDay = (try? CalendarMonth(year: yy < 80 ? 2000 + yy : 1900 + yy, month: month))?.lastDay else {
            throw .init("value date \(TextBytes.quoted(text)) is not a date YYMMDD")
        }
        cursor += 6
        tolerated.append(Tolerated(tolerance: .invalidValueDate,
                                   message: "value date \(TextBytes.quoted(text)) is not a calendar day; kept as written, value date left empty"))
        return (nil, lastDay)
    }

    /// The optional `MMDD` entry date, its year taken from whichever of the value date's year and the
    /// years either side puts it nearest the value date (a 31 December booking valued 2 January, or back).
    private static func readEntryDate(_ line: ArraySlice<UInt8>, _ cursor: inout Int, near valueDate: CalendarDate) throws(MT940FieldError) -> CalendarDate? {
        guard cursor < line.endIndex, TextBytes.isDigit(line[cursor]) else { return nil }
        let text = line[cursor..<min(cursor + 4, line.endIndex)]
        guard text.count == 4, let month = ASCIIDigits.value(text.prefix(2)), let day = ASCIIDigits.value(text.suffix(2)) else {
            throw .init("entry date \(TextBytes.quoted(text)) is not MMDD")
        }
        var best: CalendarDate?
        if let sameYear = try? CalendarDate(year: valueDate.year, month: month, day: day), abs(valueDate.days(until: sameYear)) <= 182 {
            best = sameYear // within 182 days, no date in the years either side can be nearer
        } else {
            for year in [valueDate.year - 1, valueDate.year, valueDate.year + 1] {
                guard let candidate = try? CalendarDate(year: year, month: month, day: day) else { continue }
                if best == nil || abs(valueDate.days(until: candidate)) < abs(valueDate.days(until: best!)) { best = candidate }
            }
        }
        guard let entryDate = best else { throw .init("entry date \(TextBytes.quoted(text)) is not a valid month and day") }
        cursor += 4
        return entryDate
    }

    /// `C`, `D`, `RC` (reversal of a credit: money out) or `RD` (reversal of a debit: money in).
    /// An `R` can only open a reversal mark, never a funds code, because the mark comes first:
    /// `DR800,` is `D` followed by funds code `R`.
    private static func readMark(_ line: ArraySlice<UInt8>, _ cursor: inout Int) throws(MT940FieldError) -> (credit: Bool, reversal: Bool) {
        guard cursor < line.endIndex else { throw .init("ends before the debit/credit mark") }
        var reversal = false
        if line[cursor] == UInt8(ascii: "R") {
            reversal = true
            cursor += 1
            guard cursor < line.endIndex else { throw .init("mark 'R' must be followed by C or D") }
        }
        switch line[cursor] {
        case UInt8(ascii: "C"):
            cursor += 1
            return (!reversal, reversal)
        case UInt8(ascii: "D"):
            cursor += 1
            return (reversal, reversal)
        default:
            throw .init("mark \(TextBytes.quoted(line[(reversal ? cursor - 1 : cursor)...].prefix(2))) is not C, D, RC or RD")
        }
    }

    /// A letter right after the mark is the funds code: the amount must start with a digit.
    private static func readFundsCode(_ line: ArraySlice<UInt8>, _ cursor: inout Int) -> String? {
        guard cursor < line.endIndex, TextBytes.isUpper(line[cursor]) else { return nil }
        cursor += 1
        return String(UnicodeScalar(line[cursor - 1]))
    }

    /// Spaces between the mark (or funds code) and the amount: some exports pad there.
    private static func skipBlankBeforeAmount(_ line: ArraySlice<UInt8>, _ cursor: inout Int, _ tolerated: inout [Tolerated]) {
        var end = cursor
        while end < line.endIndex, line[end] == UInt8(ascii: " ") { end += 1 }
        guard end > cursor, end < line.endIndex, TextBytes.isDigit(line[end]) else { return }
        tolerated.append(Tolerated(tolerance: .blankBeforeAmount, message: "a space between the debit/credit mark and the amount; skipped"))
        cursor = end
    }

    private static func readAmount(_ line: ArraySlice<UInt8>, _ cursor: inout Int, _ tolerated: inout [Tolerated]) throws(MT940FieldError) -> ArraySlice<UInt8> {
        let start = cursor
        var commas = 0
        while cursor < line.endIndex, TextBytes.isDigit(line[cursor]) || line[cursor] == UInt8(ascii: ",") {
            if line[cursor] == UInt8(ascii: ",") { commas += 1 }
            cursor += 1
        }
        let text = line[start..<cursor]
        guard commas == 1, text.first.map(TextBytes.isDigit) == true else {
            throw .init("amount \(TextBytes.quoted(line[start...].prefix(16))) is not digits with one decimal comma")
        }
        if text.count > amountCharactersMax {
            // Read exactly by StatementAmount, which still bounds the digits and the money.
            tolerated.append(Tolerated(tolerance: .longAmount,
                                       message: "amount \(TextBytes.quoted(text)) is longer than \(amountCharactersMax) characters; read exactly"))
        }
        return text
    }

    private static func readType(_ line: ArraySlice<UInt8>, _ cursor: inout Int) throws(MT940FieldError) -> String {
        let text = line[cursor..<min(cursor + 4, line.endIndex)]
        let valid: Bool
        switch text.first {
        case UInt8(ascii: "S"): valid = text.count == 4 && text.dropFirst().allSatisfy(TextBytes.isDigit)
        case UInt8(ascii: "N"), UInt8(ascii: "F"): valid = text.count == 4 && text.dropFirst().allSatisfy(TextBytes.isAlphanumeric)
        default: valid = false
        }
        guard valid else { throw .init("transaction type \(TextBytes.quoted(text)) is not S + 3 digits or N/F + 3 characters") }
        cursor += 4
        return String(decoding: text, as: UTF8.self)
    }

    private static func readReferences(_ rest: ArraySlice<UInt8>, _ tolerated: inout [Tolerated])
        throws(MT940FieldError) -> (customer: String?, bank: String?) {
        var customerBytes = rest
        var bankBytes: ArraySlice<UInt8>?
        if let split = firstDoubleSlash(rest) {
            customerBytes = rest[rest.startIndex..<split]
            bankBytes = rest[(split + 2)...]
        }
        let customerText = try reference(TextBytes.trimmed(customerBytes), name: "customer reference",
                                         missing: "has no customer reference (NONREF when there is none); read as none", &tolerated)
        var bankText: String?
        if let bankBytes {
            bankText = try reference(TextBytes.trimmed(bankBytes), name: "bank reference",
                                     missing: "has an empty bank reference after //; read as none", &tolerated)
        }
        return (customerText == "NONREF" ? nil : customerText, bankText)
    }

    /// A reference: nil when empty, kept whole when longer than SWIFT's 16 characters (both tolerated).
    private static func reference(_ bytes: ArraySlice<UInt8>, name: String, missing: String, _ tolerated: inout [Tolerated])
        throws(MT940FieldError) -> String? {
        guard !bytes.isEmpty else {
            tolerated.append(Tolerated(tolerance: .missingReference, message: missing))
            return nil
        }
        guard bytes.count <= StatementLimits.valueBytesMax else {
            throw .init("\(name) is longer than \(StatementLimits.valueBytesMax) bytes")
        }
        if bytes.count > referenceCharactersMax {
            tolerated.append(Tolerated(tolerance: .longReference, message:
                "\(name) \(TextBytes.quoted(bytes)) is longer than \(referenceCharactersMax) characters; kept whole"))
        }
        guard let text = TextBytes.utf8(bytes) else { throw .init("\(name) is not UTF-8") }
        return text
    }

    private static func firstDoubleSlash(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "/") { return index }
            index += 1
        }
        return nil
    }
}

/// What is wrong inside one MT940 field; the parser adds file, line and tag.
struct MT940FieldError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
