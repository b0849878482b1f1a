import Core

/// How a sheet's cells become the CSV text a bank's CSV description reads: its delimiter and quote,
/// numbers with its decimal separator (no grouping), date cells in its first date format.
struct XLSXRenderStyle {
    var delimiter: UInt8
    var quote: UInt8
    var decimalSeparator: UInt8
    var datePattern: CSVDatePattern

    init(_ description: CSVFormatDescription) {
        delimiter = description.delimiter
        quote = description.quote
        decimalSeparator = description.amountStyle.decimalSeparator
        datePattern = description.dateFormats[0]
    }
}

/// Renders the first sheet of a workbook as CSV, one line per sheet row, so that line N of the CSV
/// is row N of the sheet (gaps become empty lines; line breaks inside a cell become spaces) and
/// every error of the CSV parser names the sheet row.
///
/// Cells: shared strings (`t="s"`), inline strings, formula strings, booleans, errors as written;
/// numbers from the cell's decimal text exactly (an exponent moves the decimal point, never through
/// binary floating point); numbers in a date style as the date of their serial (the time dropped).
struct XLSXSheetRenderer {
    let workbook: XLSXWorkbook
    let style: XLSXRenderStyle

    private enum CellKind { case number, shared, inline, text, boolean }

    /// The CSV bytes of the first `rowsMax` rows. Each cell is written as soon as it ends (no row or
    /// cell arrays): the sheet of a 100,000-row statement is rendered without an allocation per cell.
    func csv(rowsMax: Int = XLSXLimits.rowsMax) throws(StatementParseError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(workbook.sheet.count / 2, XLSXLimits.entryBytesMax))
        var row = 0
        /// Cells written in the current row, and the column of the current cell.
        var written = 0
        var column = 0
        var kind = CellKind.number
        var styleIndex = 0
        var value: [UInt8] = []
        var scratch: [UInt8] = []
        var inValue = false
        var inInline = false
        let file = workbook.file
        let part = "sheet \(workbook.sheetName)"
        try XLSXWorkbook.scan(workbook.sheet, part: part, file: file) { (scanner, token) throws(StatementParseError) -> Bool in
            switch token {
            case .start(let name, let attributes, let isEmpty):
                if scanner.equals(name, "c") {
                    guard row > 0 else { throw XLSXWorkbook.error(file, "a cell outside any row") }
                    let (referenceAttribute, typeAttribute, styleAttribute) = XLSXSheetRenderer.cellAttributes(scanner, attributes)
                    if let reference = referenceAttribute {
                        guard let index = XLSXSheetRenderer.columnIndex(scanner, reference), index >= written else {
                            throw XLSXWorkbook.error(file, "row \(row): cell reference '\(String(decoding: scanner.bytes[reference], as: UTF8.self))' is not a column after the previous cell")
                        }
                        column = index
                    } else {
                        column = written
                    }
                    guard column < XLSXLimits.columnsMax else {
                        throw XLSXWorkbook.error(file, "row \(row): a cell beyond column \(XLSXLimits.columnsMax)")
                    }
                    kind = XLSXSheetRenderer.kind(scanner, typeAttribute)
                    styleIndex = styleAttribute.flatMap { XLSXSheetRenderer.decimal(scanner, $0) } ?? 0
                    // An empty cell (`<c r="B2"/>`) writes nothing: the next cell fills the gap.
                    value.removeAll(keepingCapacity: true)
                } else if scanner.equals(name, "v") || (inInline && scanner.equals(name, "t")) {
                    inValue = !isEmpty
                } else if scanner.equals(name, "row") {
                    let number = scanner.attribute("r", in: attributes).flatMap { XLSXSheetRenderer.decimal(scanner, $0) } ?? row + 1
                    guard number > row, number <= XLSXLimits.rowsMax else {
                        throw XLSXWorkbook.error(file, "row \(number) comes after row \(row) or past row \(XLSXLimits.rowsMax)")
                    }
                    if number > rowsMax { return false }
                    // Empty lines for the rows the sheet leaves out: line N stays row N.
                    output.append(contentsOf: repeatElement(0x0A, count: number - row - 1))
                    row = number
                    written = 0
                    if isEmpty { output.append(0x0A) }
                } else if scanner.equals(name, "is") {
                    inInline = !isEmpty
                }
            case .end(let name):
                if scanner.equals(name, "v") || scanner.equals(name, "t") {
                    inValue = false
                } else if scanner.equals(name, "c") {
                    // Empty cells before this one, then its delimiter and text.
                    while written < column {
                        if written > 0 { output.append(style.delimiter) }
                        written += 1
                    }
                    if column > 0 { output.append(style.delimiter) }
                    try writeCell(value, kind: kind, styleIndex: styleIndex, row: row, column: column, scratch: &scratch, into: &output)
                    written = column + 1
                } else if scanner.equals(name, "row") {
                    output.append(0x0A)
                } else if scanner.equals(name, "is") {
                    inInline = false
                } else if scanner.equals(name, "sheetData") {
                    return false
                }
            case .text(let range, let isCDATA):
                guard inValue else { return true }
                guard value.count + range.count <= XLSXLimits.cellBytesMax else {
                    throw XLSXWorkbook.error(file, "row \(row): a cell longer than \(XLSXLimits.cellBytesMax) bytes")
                }
                try XLSXWorkbook.appendText(scanner, range, isCDATA: isCDATA, into: &value, part: part, file: file)
            case .endOfInput: break
            }
            return true
        }
        return output
    }

    private func writeCell(_ value: [UInt8], kind: CellKind, styleIndex: Int, row: Int, column: Int, scratch: inout [UInt8],
                           into output: inout [UInt8]) throws(StatementParseError) {
        do throws(CellProblem) {
            switch kind {
            case .shared:
                guard let index = XLSXSheetRenderer.decimal(value), index < workbook.sharedEnds.count else {
                    throw CellProblem(message: "shared string '\(String(decoding: value.prefix(20), as: UTF8.self))' is not in the table")
                }
                let start = index == 0 ? 0 : workbook.sharedEnds[index - 1]
                escaped(workbook.sharedBytes[start..<workbook.sharedEnds[index]], into: &output)
            case .inline, .text: escaped(value[...], into: &output)
            case .boolean: output.append(contentsOf: value == [0x31] ? Array("TRUE".utf8) : Array("FALSE".utf8))
            case .number:
                guard !value.isEmpty else { return }
                scratch.removeAll(keepingCapacity: true)
                if styleIndex < workbook.dateStyles.count, workbook.dateStyles[styleIndex] {
                    scratch.append(contentsOf: try date(value))
                } else {
                    guard XLSXNumberText.appendPlainDecimal(value, decimalSeparator: style.decimalSeparator, into: &scratch) else {
                        throw CellProblem(message: "number '\(String(decoding: value.prefix(40), as: UTF8.self))' is not a decimal number")
                    }
                }
                escaped(scratch[...], into: &output)
            }
        } catch {
            throw XLSXWorkbook.error(workbook.file, "row \(row), column \(XLSXSheetRenderer.columnName(column)): \(error.message)")
        }
    }

    struct CellProblem: Error { var message: String }

    /// Days since 1899-12-30 (Excel's 1900 system, whose phantom 29 February 1900 no statement reaches)
    /// or since 1904-01-01; the fraction (time of day) dropped.
    private func date(_ value: [UInt8]) throws(CellProblem) -> [UInt8] {
        let whole = value.prefix { $0 != UInt8(ascii: ".") }
        guard let serial = XLSXSheetRenderer.decimal(Array(whole)), serial >= XLSXNumberText.dateSerialMin || workbook.uses1904Dates else {
            throw CellProblem(message: "date serial '\(String(decoding: value.prefix(40), as: UTF8.self))' is not a day after 1 March 1900")
        }
        let date = CalendarDate(daysSinceEpoch: serial - (workbook.uses1904Dates ? XLSXNumberText.epoch1904Offset : XLSXNumberText.epoch1900Offset))
        guard CalendarDate.yearRange.contains(date.year) else {
            throw CellProblem(message: "date serial \(serial) is the year \(date.year), outside \(CalendarDate.yearRange)")
        }
        return Array(style.datePattern.format(date).utf8)
    }

    /// The cell's text as one CSV field: quoted when it holds the delimiter, the quote or a line
    /// break; line breaks become spaces so that the CSV line stays the sheet row.
    private func escaped(_ cell: ArraySlice<UInt8>, into output: inout [UInt8]) {
        let delimiter = style.delimiter
        let quote = style.quote
        let needsQuotes = cell.contains { $0 == delimiter || $0 == quote || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            output.append(contentsOf: cell)
            return
        }
        output.append(quote)
        for byte in cell {
            switch byte {
            case 0x0A, 0x0D: output.append(0x20)
            case quote: output.append(quote); output.append(quote)
            default: output.append(byte)
            }
        }
        output.append(quote)
    }

    /// A cell's `r` (reference), `t` (type) and `s` (style) attributes, in one pass over its tag.
    private static func cellAttributes(_ scanner: XLSXMarkupScanner, _ attributes: Range<Int>) -> (Range<Int>?, Range<Int>?, Range<Int>?) {
        var reference: Range<Int>?
        var type: Range<Int>?
        var style: Range<Int>?
        scanner.forEachAttribute(in: attributes) { name, value in
            if name.count == 1 {
                switch scanner.bytes[name.lowerBound] {
                case UInt8(ascii: "r"): reference = reference ?? value
                case UInt8(ascii: "t"): type = type ?? value
                case UInt8(ascii: "s"): style = style ?? value
                default: break
                }
            }
            return true
        }
        return (reference, type, style)
    }

    private static func kind(_ scanner: XLSXMarkupScanner, _ type: Range<Int>?) -> CellKind {
        guard let type else { return .number }
        if scanner.equals(type, "s") { return .shared }
        if scanner.equals(type, "inlineStr") { return .inline }
        if scanner.equals(type, "b") { return .boolean }
        if scanner.equals(type, "n") { return .number }
        return .text // str (formula text), e (error), d (ISO date text)
    }

    /// `A` → 0, `AB12` → 27: the letters of a cell reference.
    static func columnIndex(_ scanner: XLSXMarkupScanner, _ reference: Range<Int>) -> Int? {
        var value = 0
        var letters = 0
        for index in reference {
            let byte = scanner.bytes[index]
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { break }
            value = value * 26 + Int(byte - UInt8(ascii: "A")) + 1
            letters += 1
            guard letters <= 3 else { return nil }
        }
        return letters == 0 ? nil : value - 1
    }

    static func columnName(_ index: Int) -> String {
        var name = ""
        var rest = index + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + digit))) + name
            rest = (rest - 1) / 26
        }
        return name
    }

    static func decimal(_ scanner: XLSXMarkupScanner, _ range: Range<Int>) -> Int? {
        decimal(scanner.bytes[range])
    }

    static func decimal<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}

/// Numbers as SpreadsheetML writes them (`1500000`, `-12.5`, `1.5E7`, `2.5E-3`) turned into plain
/// decimal text by moving the decimal point: exact, whatever the digits.
enum XLSXNumberText {
    /// 1970-01-01 as a serial of the 1900 date system (whose day 0 is 1899-12-30) and of the 1904 system.
    static let epoch1900Offset = 25_569
    static let epoch1904Offset = 24_107
    /// Serial 61 is 1 March 1900: before it Excel counts a 29 February 1900 that never was.
    static let dateSerialMin = 61
    /// An exponent beyond this would only pad zeros past any amount the ledger holds.
    static let exponentMax = 40

    /// Appends `text` as plain decimal with `decimalSeparator`; false when it is not a number. The
    /// common forms (`2500000`, `-12.5`) are copied as they are; an exponent goes through `plainDecimal`.
    static func appendPlainDecimal(_ text: [UInt8], decimalSeparator: UInt8, into output: inout [UInt8]) -> Bool {
        var points = 0
        var digits = 0
        for (index, byte) in text.enumerated() {
            if TextBytes.isDigit(byte) { digits += 1 } else if byte == UInt8(ascii: ".") { points += 1 }
            else if !(index == 0 && byte == UInt8(ascii: "-")) { points = 2; break }
        }
        let leadingPoint = text.first == UInt8(ascii: ".") || text.starts(with: [UInt8(ascii: "-"), UInt8(ascii: ".")])
        guard points <= 1, digits > 0, !leadingPoint else {
            guard let plain = plainDecimal(text) else { return false }
            output.append(contentsOf: plain.map { $0 == UInt8(ascii: ".") ? decimalSeparator : $0 })
            return true
        }
        var end = text.count
        if points == 1 {
            while text[end - 1] == UInt8(ascii: "0") { end -= 1 }
            if text[end - 1] == UInt8(ascii: ".") { end -= 1 }
        }
        guard end > 0, !(end == 1 && text[0] == UInt8(ascii: "-")) else { output.append(UInt8(ascii: "0")); return true }
        for byte in text[..<end] { output.append(byte == UInt8(ascii: ".") ? decimalSeparator : byte) }
        return true
    }

    static func plainDecimal(_ text: [UInt8]) -> [UInt8]? {
        var index = 0
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        var pointPosition: Int?
        while index < text.count, TextBytes.isDigit(text[index]) || text[index] == UInt8(ascii: ".") {
            if text[index] == UInt8(ascii: ".") {
                guard pointPosition == nil else { return nil }
                pointPosition = digits.count
            } else {
                digits.append(text[index])
            }
            index += 1
        }
        guard !digits.isEmpty else { return nil }
        var exponent = 0
        if index < text.count {
            guard text[index] == UInt8(ascii: "E") || text[index] == UInt8(ascii: "e") else { return nil }
            index += 1
            var exponentNegative = false
            if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentDigits = text[index...]
            guard !exponentDigits.isEmpty, exponentDigits.count <= 3, exponentDigits.allSatisfy(TextBytes.isDigit) else { return nil }
            exponent = exponentDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard exponent <= exponentMax else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        // The point sits `point` digits from the left; move it by the exponent, pad with zeros.
        var point = (pointPosition ?? digits.count) + exponent
        if point < 0 {
            digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point), at: 0)
            point = 0
        }
        if point > digits.count { digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count)) }
        var result: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        result.append(contentsOf: point == 0 ? [UInt8(ascii: "0")] : Array(digits[..<point]))
        var fraction = digits[point...]
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        if !fraction.isEmpty {
            result.append(UInt8(ascii: "."))
            result.append(contentsOf: fraction)
        }
        return result
    }
}
