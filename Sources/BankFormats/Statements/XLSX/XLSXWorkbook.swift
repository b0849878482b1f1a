import Core

/// An `.xlsx` workbook's first sheet, ready to be rendered as CSV text for a bank's CSV description,
/// so that an Excel export is read by exactly the layout rules of the bank's CSV export.
///
/// Read: the ZIP archive (`ZIPArchive`), the workbook's first sheet through its relationship, the
/// shared strings, the cell styles (to tell date serials from numbers) and the 1904 date system flag.
/// Refused: password-protected workbooks (an OLE compound file, or an `EncryptionInfo` part) and
/// macro-enabled ones (a `vbaProject.bin` part or a macro-enabled content type).
struct XLSXWorkbook {
    let file: String
    let sheet: [UInt8]
    let sheetName: String
    /// Shared strings, concatenated, with each string's end offset.
    let sharedBytes: [UInt8]
    let sharedEnds: [Int]
    /// For each cell style index: whether its number format shows a date.
    let dateStyles: [Bool]
    let uses1904Dates: Bool

    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// The OLE compound file signature: how an encrypted `.xlsx` (or an old `.xls`) starts.
    static let compoundFileMagic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    static func looksLikeWorkbook(_ prefix: some Collection<UInt8>) -> Bool {
        prefix.starts(with: zipMagic) || prefix.starts(with: compoundFileMagic)
    }

    init(bytes: [UInt8], file: String) throws(StatementParseError) {
        self.file = file
        guard !bytes.starts(with: XLSXWorkbook.compoundFileMagic) else {
            throw XLSXWorkbook.error(file, "is a password-protected workbook or an old .xls (an OLE compound file); "
                                     + "save it from Excel as .xlsx without a password")
        }
        guard bytes.count <= XLSXLimits.archiveBytesMax else {
            throw XLSXWorkbook.error(file, "is larger than \(XLSXLimits.archiveBytesMax) bytes")
        }
        let archive: ZIPArchive
        do { archive = try ZIPArchive(bytes: bytes) } catch { throw XLSXWorkbook.error(file, error.message) }
        try XLSXWorkbook.refuseEncryptedOrMacros(archive, file: file)
        let workbook = try XLSXWorkbook.part(archive, "xl/workbook.xml", file: file)
        let (sheetName, relationship, uses1904) = try XLSXWorkbook.firstSheet(workbook, file: file)
        let target = try XLSXWorkbook.sheetTarget(archive, relationship: relationship, file: file)
        self.sheetName = sheetName
        uses1904Dates = uses1904
        sheet = try XLSXWorkbook.extract(archive, target, file: file)
        if archive.entries["xl/sharedStrings.xml"] != nil {
            (sharedBytes, sharedEnds) = try XLSXSharedStrings.read(try XLSXWorkbook.extract(archive, "xl/sharedStrings.xml", file: file),
                                                                    file: file)
        } else {
            (sharedBytes, sharedEnds) = ([], [])
        }
        dateStyles = archive.entries["xl/styles.xml"] == nil ? []
            : try XLSXStyles.dateStyles(try XLSXWorkbook.part(archive, "xl/styles.xml", file: file), file: file)
    }

    static func extract(_ archive: ZIPArchive, _ name: String, file: String) throws(StatementParseError) -> [UInt8] {
        do { return try archive.extract(name) } catch { throw XLSXWorkbook.error(file, error.message) }
    }

    static func refuseEncryptedOrMacros(_ archive: ZIPArchive, file: String) throws(StatementParseError) {
        if archive.entries["EncryptionInfo"] != nil || archive.entries["EncryptedPackage"] != nil {
            throw error(file, "is a password-protected workbook; save it from Excel without a password")
        }
        if archive.names.contains(where: { $0.hasSuffix("vbaProject.bin") }) {
            throw error(file, "holds macros (vbaProject.bin); statements are read only from macro-free .xlsx files")
        }
        guard archive.entries["[Content_Types].xml"] != nil else { throw error(file, "is a ZIP archive but not a workbook (no [Content_Types].xml)") }
        let types = try part(archive, "[Content_Types].xml", file: file)
        if String(decoding: types, as: UTF8.self).lowercased().contains("macroenabled") {
            throw error(file, "is a macro-enabled workbook (.xlsm); statements are read only from macro-free .xlsx files")
        }
    }

    /// A small part, bounded by `XLSXLimits.partBytesMax`.
    static func part(_ archive: ZIPArchive, _ name: String, file: String) throws(StatementParseError) -> [UInt8] {
        guard let entry = archive.entries[name] else { throw error(file, "is not a workbook: it has no \(name)") }
        guard entry.uncompressedSize <= XLSXLimits.partBytesMax else {
            throw error(file, "part \(name) declares \(entry.uncompressedSize) bytes, more than \(XLSXLimits.partBytesMax)")
        }
        return try extract(archive, name, file: file)
    }

    /// The first `<sheet>` of the workbook: its name and relationship id; and `workbookPr date1904`.
    static func firstSheet(_ workbook: [UInt8], file: String) throws(StatementParseError) -> (String, String, Bool) {
        var found: (String, String)?
        var uses1904 = false
        try scan(workbook, part: "xl/workbook.xml", file: file) { (scanner, token) throws(StatementParseError) -> Bool in
            guard case .start(let name, let attributes, _) = token else { return true }
            if scanner.equals(name, "workbookPr"), let flag = scanner.attribute("date1904", in: attributes) {
                uses1904 = scanner.equals(flag, "1") || scanner.equals(flag, "true")
            }
            if scanner.equals(name, "sheet"), let id = scanner.attribute("id", in: attributes) {
                let title = scanner.attribute("name", in: attributes).map { String(decoding: scanner.bytes[$0], as: UTF8.self) } ?? ""
                found = (title, String(decoding: scanner.bytes[id], as: UTF8.self))
                return false
            }
            return true
        }
        guard let (name, id) = found else { throw error(file, "has no sheet") }
        return (name, id, uses1904)
    }

    /// The archive path of the sheet that relationship `id` of the workbook names.
    static func sheetTarget(_ archive: ZIPArchive, relationship id: String, file: String) throws(StatementParseError) -> String {
        let rels = try part(archive, "xl/_rels/workbook.xml.rels", file: file)
        var target: String?
        try scan(rels, part: "xl/_rels/workbook.xml.rels", file: file) { (scanner, token) throws(StatementParseError) -> Bool in
            guard case .start(let name, let attributes, _) = token, scanner.equals(name, "Relationship"),
                  let idRange = scanner.attribute("Id", in: attributes), String(decoding: scanner.bytes[idRange], as: UTF8.self) == id,
                  let targetRange = scanner.attribute("Target", in: attributes) else { return true }
            target = String(decoding: scanner.bytes[targetRange], as: UTF8.self)
            return false
        }
        guard let target else { throw error(file, "names sheet relationship \(id) but does not define it") }
        let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard archive.entries[path] != nil else { throw error(file, "has no sheet part \(path)") }
        return path
    }

    /// Runs `visit` over the tokens of `bytes` until it returns false or the part ends. Inlined so that
    /// `visit` (called for each of a sheet's million tokens) is inlined into the loop rather than called.
    @inline(__always)
    static func scan(_ bytes: [UInt8], part: String, file: String,
                     _ visit: (XLSXMarkupScanner, XLSXMarkupScanner.Token) throws(StatementParseError) -> Bool) throws(StatementParseError) {
        try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(StatementParseError) -> Void in
            var scanner = XLSXMarkupScanner(buffer)
            while true {
                let token = try nextToken(&scanner, part: part, file: file)
                if case .endOfInput = token { return }
                guard try visit(scanner, token) else { return }
            }
        }
    }

    @inline(__always)
    private static func nextToken(_ scanner: inout XLSXMarkupScanner, part: String, file: String) throws(StatementParseError) -> XLSXMarkupScanner.Token {
        do { return try scanner.next() } catch { throw markupError(error, part: part, file: file) }
    }

    static func markupError(_ error: XLSXMarkupError, part: String, file: String) -> StatementParseError {
        XLSXWorkbook.error(file, "part \(part) at byte \(error.offset): \(error.message)")
    }

    /// Text with its entities decoded, appended to `output`; a bad reference names the part.
    static func appendText(_ scanner: XLSXMarkupScanner, _ range: Range<Int>, isCDATA: Bool, into output: inout [UInt8],
                           part: String, file: String) throws(StatementParseError) {
        do { try scanner.decodedText(range, isCDATA: isCDATA, into: &output) } catch { throw markupError(error, part: part, file: file) }
    }

    static func error(_ file: String, _ message: String) -> StatementParseError {
        StatementParseError(.format, file: file, message: "xlsx: " + message)
    }
}

/// The shared string table: each `<si>`'s text (its `<t>`, or its rich-text runs' `<t>` joined;
/// phonetic `<rPh>` hints left out).
enum XLSXSharedStrings {
    static func read(_ bytes: [UInt8], file: String) throws(StatementParseError) -> ([UInt8], [Int]) {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count / 2)
        var ends: [Int] = []
        var inText = false
        var phoneticDepth = 0
        try XLSXWorkbook.scan(bytes, part: "xl/sharedStrings.xml", file: file) { (scanner, token) throws(StatementParseError) -> Bool in
            switch token {
            case .start(let name, _, let isEmpty):
                if scanner.equals(name, "t") { inText = !isEmpty }
                if scanner.equals(name, "rPh"), !isEmpty { phoneticDepth += 1 }
            case .end(let name):
                if scanner.equals(name, "t") { inText = false }
                if scanner.equals(name, "rPh") { phoneticDepth = max(0, phoneticDepth - 1) }
                if scanner.equals(name, "si") {
                    guard ends.count < XLSXLimits.sharedStringsMax else {
                        throw XLSXWorkbook.error(file, "more than \(XLSXLimits.sharedStringsMax) shared strings")
                    }
                    ends.append(text.count)
                }
            case .text(let range, let isCDATA):
                if inText, phoneticDepth == 0 {
                    try XLSXWorkbook.appendText(scanner, range, isCDATA: isCDATA, into: &text, part: "xl/sharedStrings.xml", file: file)
                }
            case .endOfInput: break
            }
            return true
        }
        return (text, ends)
    }
}

/// Which cell styles show numbers as dates: `cellXfs` entries whose number format is a built-in
/// date format (14–22, 27–36, 45–47, 50–58) or a custom one with day, month or year letters outside
/// quotes and brackets.
enum XLSXStyles {
    static func dateStyles(_ bytes: [UInt8], file: String) throws(StatementParseError) -> [Bool] {
        var customDates: Set<Int> = []
        var styles: [Bool] = []
        var inCellFormats = false
        try XLSXWorkbook.scan(bytes, part: "xl/styles.xml", file: file) { (scanner, token) throws(StatementParseError) -> Bool in
            switch token {
            case .start(let name, let attributes, let isEmpty):
                if scanner.equals(name, "numFmt"), let id = scanner.attribute("numFmtId", in: attributes).flatMap({ number(scanner, $0) }),
                   let code = scanner.attribute("formatCode", in: attributes) {
                    if isDateCode(Array(scanner.bytes[code])) { customDates.insert(id) }
                }
                if scanner.equals(name, "cellXfs") { inCellFormats = !isEmpty }
                if inCellFormats, scanner.equals(name, "xf") {
                    let id = scanner.attribute("numFmtId", in: attributes).flatMap { number(scanner, $0) } ?? 0
                    styles.append(isBuiltInDate(id) || customDates.contains(id))
                }
            case .end(let name):
                if scanner.equals(name, "cellXfs") { inCellFormats = false }
            default: break
            }
            return true
        }
        return styles
    }

    static func isBuiltInDate(_ id: Int) -> Bool {
        (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
    }

    /// `dd/mm/yyyy`, `yyyy-mm-dd h:mm`: a d or y outside quotes, brackets (`[Red]`) and escapes.
    static func isDateCode(_ code: [UInt8]) -> Bool {
        var inQuotes = false
        var inBrackets = false
        var index = 0
        while index < code.count {
            let byte = code[index] | 0x20 // lower case for letters
            switch code[index] {
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: "["): inBrackets = true
            case UInt8(ascii: "]"): inBrackets = false
            case UInt8(ascii: "\\"): index += 1
            default:
                if !inQuotes, !inBrackets, byte == UInt8(ascii: "d") || byte == UInt8(ascii: "y") { return true }
            }
            index += 1
        }
        return false
    }

    private static func number(_ scanner: XLSXMarkupScanner, _ range: Range<Int>) -> Int? {
        guard range.count > 0, range.count <= 9 else { return nil }
        var value = 0
        for index in range {
            let byte = scanner.bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
