import BankFormats
import Core
import Foundation

/// The `.xlsx` fuzz targets: `xlsx-zip` mutates whole workbook archives (ZIP directory, local
/// headers, DEFLATE streams); `xlsx-xml` mutates the sheet and shared-string markup and stores it in
/// a valid archive, so the SpreadsheetML scanner and renderer see every mutation (no CRC stops it).
enum FuzzBenchXLSX {
    static let targets = ["xlsx-zip", "xlsx-xml"]

    static func corpus(_ target: String, layout: ProjectLayout) throws -> [[UInt8]] {
        if target == "xlsx-xml" { return sheetCorpus }
        let samples = layout.bankFormats + "/samples"
        let names = try FileManager.default.contentsOfDirectory(atPath: samples).filter { $0.hasSuffix(".xlsx") }.sorted()
        guard !names.isEmpty else { throw CommandFailure(message: "no .xlsx samples in \(samples)") }
        return try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: samples + "/" + $0))) }
    }

    /// For `xlsx-xml` the input is a sheet's markup, with shared strings after a NUL byte.
    static func archive(_ target: String, _ input: [UInt8]) -> [UInt8] {
        guard target == "xlsx-xml" else { return input }
        let split = input.firstIndex(of: 0) ?? input.count
        let strings = split < input.count ? Array(input[(split + 1)...]) : []
        return storedWorkbook(sheet: Array(input[..<split]), sharedStrings: strings)
    }

    static let sheetCorpus: [[UInt8]] = [
        #"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Số tài khoản: 12010000123456</t></is></c></row>"#
            + #"<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3" t="s"><v>2</v></c><c r="D3" t="s"><v>3</v></c>"#
            + #"<c r="E3" t="s"><v>4</v></c><c r="F3" t="s"><v>5</v></c><c r="G3" t="s"><v>6</v></c></row>"#
            + #"<row r="4"><c r="A4"><v>1</v></c><c r="B4" s="1"><v>45293.5</v></c><c r="C4" t="str"><v>BDV0001</v></c><c r="E4"><v>2.5E6</v></c>"#
            + #"<c r="G4" t="inlineStr"><is><r><t>HP7K2Q9X &amp; </t></r><r><t>LOP 6A1</t></r></is></c></row>"#
            + #"<row r="6"><c r="A6"><v>2</v></c><c r="B6" s="1"><v>45294</v></c><c r="C6" t="s"><v>7</v></c><c r="D6"><v>1500.5</v></c>"#
            + #"<c r="G6" t="b"><v>1</v></c></row><row r="7"><c r="B7" t="s"><v>8</v></c><c r="F7"><v>-12.5E-1</v></c></row></sheetData></worksheet>"#
            + "\u{0}<sst><si><t>STT</t></si><si><t>NGÀY HIỆU LỰC</t></si><si><t>SỐ CT</t></si><si><t>GHI NỢ</t></si><si><t>GHI CÓ</t></si>"
            + #"<si><t>SỐ DƯ</t></si><si><t>MÔ TẢ</t></si><si><t>00042</t></si><si><r><t>DƯ CUỐI</t></r><rPh><t>x</t></rPh></si>"#
            + "<!-- c --><si><t><![CDATA[<a>]]></t></si></sst>",
    ].map { Array($0.utf8) }

    static let styles = #"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#

    /// A stored (uncompressed) workbook around the parts: the archive is valid whatever they hold.
    static func storedWorkbook(sheet: [UInt8], sharedStrings: [UInt8]) -> [UInt8] {
        let parts: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array("<Types/>".utf8)),
            ("xl/workbook.xml", Array(#"<workbook><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>"#.utf8)),
            ("xl/_rels/workbook.xml.rels", Array(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#.utf8)),
            ("xl/styles.xml", Array(styles.utf8)),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", sharedStrings),
        ]
        var out: [UInt8] = []
        var directory: [UInt8] = []
        func u16(_ value: Int, _ to: inout [UInt8]) { to += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        func u32(_ value: Int, _ to: inout [UInt8]) { u16(value & 0xFFFF, &to); u16(value >> 16 & 0xFFFF, &to) }
        for (name, data) in parts {
            let offset = out.count
            let nameBytes = Array(name.utf8)
            let crc = Int(CRC32.checksum(data))
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u32(0, &out); u32(crc, &out)
            u32(data.count, &out); u32(data.count, &out); u16(nameBytes.count, &out); u16(0, &out)
            out += nameBytes + data
            u32(0x0201_4B50, &directory); u16(20, &directory); u16(20, &directory); u16(0, &directory); u16(0, &directory)
            u32(0, &directory); u32(crc, &directory); u32(data.count, &directory); u32(data.count, &directory)
            u16(nameBytes.count, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory)
            u32(0, &directory); u32(offset, &directory)
            directory += nameBytes
        }
        let directoryOffset = out.count
        out += directory
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(parts.count, &out); u16(parts.count, &out)
        u32(directory.count, &out); u32(directoryOffset, &out); u16(0, &out)
        return out
    }
}
