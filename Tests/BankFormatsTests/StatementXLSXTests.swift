import Core
import Foundation
import Testing
@testable import BankFormats

/// A ZIP archive writer for tests: stored or pre-compressed entries, honest or lying sizes.
struct TestZIP {
    struct Entry {
        var name: String
        var data: [UInt8]
        var method: UInt16 = 0
        var uncompressedSize: Int
        var crc: UInt32
        var flags: UInt16 = 0
    }

    var entries: [Entry] = []

    mutating func stored(_ name: String, _ text: String) {
        let data = Array(text.utf8)
        entries.append(Entry(name: name, data: data, uncompressedSize: data.count, crc: CRC32.checksum(data)))
    }

    mutating func deflated(_ name: String, _ compressed: [UInt8], original: [UInt8]) {
        entries.append(Entry(name: name, data: compressed, method: 8, uncompressedSize: original.count, crc: CRC32.checksum(original)))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        func u16(_ v: Int, _ to: inout [UInt8]) { to += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: Int, _ to: inout [UInt8]) { u16(v & 0xFFFF, &to); u16((v >> 16) & 0xFFFF, &to) }
        for entry in entries {
            let offset = out.count
            let name = Array(entry.name.utf8)
            u32(0x0403_4B50, &out); u16(20, &out); u16(Int(entry.flags), &out); u16(Int(entry.method), &out); u32(0, &out)
            u32(Int(entry.crc), &out); u32(entry.data.count, &out); u32(entry.uncompressedSize, &out); u16(name.count, &out); u16(0, &out)
            out += name + entry.data
            u32(0x0201_4B50, &directory); u16(20, &directory); u16(20, &directory); u16(Int(entry.flags), &directory)
            u16(Int(entry.method), &directory); u32(0, &directory); u32(Int(entry.crc), &directory); u32(entry.data.count, &directory)
            u32(entry.uncompressedSize, &directory); u16(name.count, &directory); u16(0, &directory); u16(0, &directory)
            u16(0, &directory); u16(0, &directory); u32(0, &directory); u32(offset, &directory)
            directory += name
        }
        let directoryOffset = out.count
        out += directory
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
        u32(directory.count, &out); u32(directoryOffset, &out); u16(0, &out)
        return out
    }

    /// A minimal workbook around `sheet` (the `<sheetData>` content) and optional shared strings and styles.
    static func workbook(sheet: String, sharedStrings: String? = nil, styles: String? = nil, date1904: Bool = false) -> TestZIP {
        var zip = TestZIP()
        zip.stored("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#)
        zip.stored("xl/workbook.xml", #"<workbook xmlns:r="r"><workbookPr date1904="\#(date1904 ? 1 : 0)"/><sheets><sheet name="S" sheetId="1" r:id="rId7"/></sheets></workbook>"#)
        zip.stored("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId7" Target="worksheets/sheet1.xml" Type="t"/></Relationships>"#)
        zip.stored("xl/worksheets/sheet1.xml", "<worksheet><sheetData>\(sheet)</sheetData></worksheet>")
        if let sharedStrings { zip.stored("xl/sharedStrings.xml", "<sst>\(sharedStrings)</sst>") }
        if let styles { zip.stored("xl/styles.xml", "<styleSheet>\(styles)</styleSheet>") }
        return zip
    }
}

/// DEFLATE with fixed Huffman codes, enough to build long runs (and bombs) in tests.
struct FixedHuffmanWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt32 = 0
    private var count = 0

    init() { bits(1, 1); bits(1, 2) } // final block, type 1

    mutating func bits(_ value: Int, _ length: Int) {
        for bit in 0..<length { push((value >> bit) & 1) }
    }

    /// A Huffman code goes most significant bit first.
    mutating func code(_ value: Int, _ length: Int) {
        for bit in stride(from: length - 1, through: 0, by: -1) { push((value >> bit) & 1) }
    }

    private mutating func push(_ bit: Int) {
        buffer |= UInt32(bit) << UInt32(count)
        count += 1
        if count == 8 { bytes.append(UInt8(buffer)); buffer = 0; count = 0 }
    }

    mutating func literal(_ byte: UInt8) {
        if byte < 144 { code(0x30 + Int(byte), 8) } else { code(0x190 + Int(byte) - 144, 9) }
    }

    /// Repeats the previous byte 258 times (length code 285, distance code 0).
    mutating func repeat258() {
        code(0xC5, 8)
        code(0, 5)
    }

    mutating func finish() -> [UInt8] {
        code(0, 7) // end of block
        if count > 0 { bytes.append(UInt8(buffer)) }
        return bytes
    }
}

@Suite("xlsx statements")
struct StatementXLSXTests {
    static func lines(_ sample: String) throws -> StatementRecorder {
        let path = StatementFixtures.samplesDirectory + "/" + sample
        var recorder = StatementRecorder()
        try StatementParsing.parse(fileAt: path, format: .auto, descriptions: StatementFixtures.catalog, consumer: &recorder)
        return recorder
    }

    static func spaced(_ text: String?) -> String? {
        text.map { $0.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }).joined(separator: " ") }
    }

    @Test("each bank's workbook written by openpyxl, and one saved by LibreOffice, reads back to the same lines as the CSV it came from",
          arguments: [("bidv.csv", "bidv-excel.xlsx"), ("mb.csv", "mb-excel.xlsx"), ("techcombank.csv", "techcombank-excel.xlsx"),
                      ("vietcombank.csv", "vietcombank-excel.xlsx"), ("vietinbank.txt", "vietinbank-excel.xlsx"),
                      ("bidv.csv", "bidv-libreoffice.xlsx")])
    func sameAsCSV(csv: String, workbook: String) throws {
        let stem = (csv as NSString).deletingPathExtension
        let fromCSV = try Self.lines(csv)
        let fromExcel = try Self.lines(workbook)
        #expect(try StatementParsing.resolveFormat(fileAt: StatementFixtures.samplesDirectory + "/" + workbook, format: .auto,
                                                   descriptions: StatementFixtures.catalog) == .xlsx(stem))
        #expect(fromExcel.lines.count == fromCSV.lines.count && !fromCSV.lines.isEmpty)
        for (a, b) in zip(fromCSV.lines, fromExcel.lines) {
            #expect(a.amount == b.amount)
            #expect(a.bookingDate == b.bookingDate && a.valueDate == b.valueDate)
            #expect(a.bankReference == b.bankReference)
            #expect(Self.spaced(a.memo) == Self.spaced(b.memo))
            #expect(a.counterpartyName == b.counterpartyName && a.counterpartyAccount == b.counterpartyAccount)
            #expect(a.balanceAfter == b.balanceAfter)
        }
        #expect(fromCSV.ended.map(\.balances.count) == fromExcel.ended.map(\.balances.count))
        #expect(fromCSV.ended.first?.openingBalance?.amount == fromExcel.ended.first?.openingBalance?.amount)
        #expect(fromCSV.ended.first?.closingBalance?.amount == fromExcel.ended.first?.closingBalance?.amount)
        #expect(fromCSV.ended.first?.account == fromExcel.ended.first?.account)
    }

    static let bidvSheet = """
        <row r="1"><c r="A1" t="inlineStr"><is><t>Số tài khoản: 12010000123456</t></is></c></row>
        <row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3" t="s"><v>2</v></c><c r="D3" t="s"><v>3</v></c><c r="E3" t="s"><v>4</v></c><c r="F3" t="s"><v>5</v></c><c r="G3" t="s"><v>6</v></c></row>
        <row r="4"><c r="A4"><v>1</v></c><c r="B4" s="1"><v>45293.5</v></c><c r="C4" t="str"><v>BDV0001</v></c><c r="E4"><v>2.5E6</v></c><c r="G4" t="inlineStr"><is><r><t>HP7K2Q9X &amp; </t></r><r><t>LOP 6A1</t></r></is></c></row>
        <row r="6"><c r="A6"><v>2</v></c><c r="B6" s="1"><v>45294</v></c><c r="C6" t="s"><v>7</v></c><c r="D6"><v>1500.5</v></c><c r="G6" t="s"><v>8</v></c></row>
        """
    static let bidvStrings = """
        <si><t>STT</t></si><si><t>NGÀY HIỆU LỰC</t></si><si><t>SỐ CT</t></si><si><t>GHI NỢ</t></si><si><t>GHI CÓ</t></si><si><t>SỐ DƯ</t></si>
        <si><t>MÔ TẢ</t></si><si><t>00042</t></si><si><r><t>PHI</t></r><rPh><t>ふ</t></rPh><r><t xml:space="preserve"> SMS</t></r></si>
        """
    static let dateStyles = #"<numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>"#

    @Test("hand-written SpreadsheetML: shared, inline and rich strings, exponent numbers, date serials by style, gaps in rows and columns")
    func handWritten() throws {
        let zip = TestZIP.workbook(sheet: Self.bidvSheet, sharedStrings: Self.bidvStrings, styles: Self.dateStyles)
        let recorder = try StatementFixtures.parse(bytes: zip.bytes, format: .auto)
        #expect(recorder.lines.count == 2)
        #expect(recorder.lines[0].amount == .of("2500000"))
        #expect(recorder.lines[0].bookingDate == (try CalendarDate(year: 2024, month: 1, day: 2)))
        #expect(recorder.lines[0].memo == "HP7K2Q9X & LOP 6A1")
        #expect(recorder.lines[0].bankReference == "BDV0001")
        #expect(recorder.lines[0].position.line == 4)
        #expect(recorder.lines[1].amount == .of("-1500.5"))
        #expect(recorder.lines[1].bankReference == "00042")
        #expect(recorder.lines[1].memo == "PHI SMS")
        #expect(recorder.lines[1].position.line == 6)
        #expect(recorder.ended[0].account == "12010000123456")
        // The 1904 date system moves every date by 1462 days.
        let shifted = try StatementFixtures.parse(bytes: TestZIP.workbook(sheet: Self.bidvSheet, sharedStrings: Self.bidvStrings,
                                                                          styles: Self.dateStyles, date1904: true).bytes, format: .csv("bidv"))
        #expect(shifted.lines[0].bookingDate == (try CalendarDate(year: 2028, month: 1, day: 3)))
    }

    @Test("numbers become decimal text exactly, whatever their exponent")
    func numberText() {
        let cases: [(String, String?)] = [("2500000", "2500000"), ("-12.50", "-12.5"), ("2.5E6", "2500000"), ("1.5e-3", "0.0015"),
                                          ("123456789012345678", "123456789012345678"), ("1E+2", "100"), ("0.000", "0"),
                                          ("1.2.3", nil), ("abc", nil), ("1E999", nil), ("", nil), ("-", nil)]
        for (text, expected) in cases {
            #expect(XLSXNumberText.plainDecimal(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) } == expected, "\(text)")
        }
    }

    @Test("inflate: stored and fixed-Huffman blocks, long runs, and openpyxl's dynamic blocks (the samples) decode")
    func inflate() throws {
        var writer = FixedHuffmanWriter()
        for byte in Array("HOC PHI ".utf8) { writer.literal(byte) }
        writer.literal(200)
        writer.repeat258()
        let compressed = writer.finish()
        let output = try Inflate.decompress(compressed[...], outputBytesMax: 1_000)
        #expect(output == Array("HOC PHI ".utf8) + Array(repeating: 200, count: 259))
        // A stored block: header bits, then LEN, NLEN and the bytes.
        let stored: [UInt8] = [0x01, 0x03, 0x00, 0xFC, 0xFF, 0x41, 0x42, 0x43]
        #expect(try Inflate.decompress(stored[...], outputBytesMax: 10) == Array("ABC".utf8))
        #expect(throws: InflateError.self) { try Inflate.decompress(stored[...], outputBytesMax: 2) }
        #expect(throws: InflateError.self) { try Inflate.decompress(stored.dropLast(), outputBytesMax: 10) }
        #expect(throws: InflateError.self) { try Inflate.decompress([0x07][...], outputBytesMax: 10) } // block type 3
    }

    static func refusal(_ bytes: [UInt8], format: StatementFormat = .csv("bidv")) -> String {
        StatementFixtures.parseError(bytes: bytes, format: format)?.description ?? "no error"
    }

    @Test("zip bombs are refused: by their declared ratio before inflating, and by their real size when the sizes lie")
    func zipBombs() {
        var writer = FixedHuffmanWriter()
        writer.literal(0x20)
        for _ in 0..<40_000 { writer.repeat258() } // about 10 MB of spaces from about 27 KB
        let bomb = writer.finish()
        let expanded = [UInt8](repeating: 0x20, count: 1 + 40_000 * 258)
        var honest = TestZIP.workbook(sheet: "")
        honest.entries.removeAll { $0.name == "xl/worksheets/sheet1.xml" }
        var lying = honest
        honest.deflated("xl/worksheets/sheet1.xml", bomb, original: expanded)
        let ratio = Self.refusal(honest.bytes)
        #expect(ratio.contains("zip bomb") && ratio.hasPrefix("test: xlsx: entry xl/worksheets/sheet1.xml would expand"), "\(ratio)")
        lying.entries.append(TestZIP.Entry(name: "xl/worksheets/sheet1.xml", data: bomb, method: 8, uncompressedSize: 100_000,
                                           crc: 0))
        let size = Self.refusal(lying.bytes)
        #expect(size.contains("decompresses to more than 100000 bytes"), "\(size)")
    }

    @Test("malformed archives are refused with a clear error naming the file")
    func malformed() throws {
        let good = StatementFixtures.sample("bidv-excel.xlsx")
        let cases: [([UInt8], String)] = [
            (Array(good.prefix(good.count / 2)), "no end of central directory"),
            (Array(("PK\u{3}\u{4}" + String(repeating: "not a zip at all ", count: 4)).utf8), "no end of central directory"),
            (TestZIP().bytes.count > 0 ? [0x50, 0x4B, 0x03, 0x04] + TestZIP().bytes : [], "not a workbook"),
            (TestZIP.workbook(sheet: "<row r=\"2\"/><row r=\"1\"/>").bytes, "row 1 comes after row 2"),
            (TestZIP.workbook(sheet: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>9</v></c></row>").bytes, "shared string '9' is not in the table"),
            (TestZIP.workbook(sheet: "<row r=\"1\"><c r=\"A1\"><v>12abc</v></c></row>").bytes, "is not a decimal number"),
            (TestZIP.workbook(sheet: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&bogus;</t></is></c></row>").bytes, "reference"),
            (TestZIP.workbook(sheet: "<!DOCTYPE x [<!ENTITY a \"b\">]><row/>").bytes, "DOCTYPE"),
            (TestZIP.workbook(sheet: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><![CDATA[").bytes, "']]>' missing"),
        ]
        for (bytes, message) in cases {
            let error = Self.refusal(bytes)
            #expect(error.hasPrefix("test: xlsx: ") && error.contains(message), "\(message): \(error)")
        }
        // One flipped byte inside the compressed sheet: an inflate or CRC error, never a wrong statement.
        var damaged = good
        let sheetOffset = try #require(Self.offset(of: "xl/worksheets/sheet1.xml", in: damaged))
        damaged[sheetOffset + 60] ^= 0xFF
        let error = Self.refusal(damaged)
        #expect(error.hasPrefix("test: xlsx: entry xl/worksheets/sheet1.xml"), "\(error)")
    }

    static func offset(of name: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(name.utf8)
        for start in 0..<(bytes.count - pattern.count) where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start + pattern.count
        }
        return nil
    }

    @Test("password-protected and macro-enabled workbooks are refused")
    func encryptedAndMacros() {
        let compound = XLSXWorkbook.compoundFileMagic + [UInt8](repeating: 0, count: 504)
        #expect(Self.refusal(compound).contains("password-protected"))
        #expect(Self.refusal(compound, format: .auto).contains("password-protected"))
        var encryptedEntry = TestZIP.workbook(sheet: "")
        encryptedEntry.entries[3].flags = 1
        #expect(Self.refusal(encryptedEntry.bytes).contains("encrypted"))
        var macros = TestZIP.workbook(sheet: "")
        macros.stored("xl/vbaProject.bin", "macro")
        #expect(Self.refusal(macros.bytes).contains("macros"))
        var macroType = TestZIP.workbook(sheet: "")
        macroType.entries[0] = TestZIP.workbook(sheet: "").entries[0]
        macroType.stored("docProps/app.xml", "")
        macroType.entries.removeFirst()
        macroType.stored("[Content_Types].xml", #"<Types><Default ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>"#)
        #expect(Self.refusal(macroType.bytes).contains("macro-enabled"))
    }
}
