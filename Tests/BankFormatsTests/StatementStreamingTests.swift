import Foundation
import Testing
@testable import BankFormats

/// A byte source that counts what it has handed out.
final class CountingSource: ByteSource {
    private var inner: MemoryByteSource
    private(set) var bytesRead = 0

    init(_ bytes: [UInt8]) throws {
        inner = try MemoryByteSource(bytes: bytes, name: "big")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        bytesRead += count
        return count
    }
}

/// Notes how much of the file had been read when the first line arrived.
final class FirstLineProbe: StatementConsumer {
    let source: CountingSource
    var bytesReadAtFirstLine: Int?
    var lineCount = 0

    init(source: CountingSource) {
        self.source = source
    }

    func statementBegan(_ statement: Statement) throws {}
    func statementLine(_ line: StatementLine) throws {
        if bytesReadAtFirstLine == nil { bytesReadAtFirstLine = source.bytesRead }
        lineCount += 1
    }
    func statementEnded(_ statement: Statement) throws {}
}

@Suite("Statement streaming")
struct StatementStreamingTests {
    static let lineCount = 20_000

    static func mt940() -> [UInt8] {
        var text = ":20:BIG\n:25:1\n:28C:1\n:60F:C240101VND0,\n"
        for index in 0..<lineCount {
            text += ":61:2401020102C1,NTRFNONREF//R\(index)\n:86:HP7K2Q9X NGUYEN VAN AN \(index)\n"
        }
        return Array((text + ":62F:C240102VND\(lineCount),\n").utf8)
    }

    static func camt() -> [UInt8] {
        var text = "<Document><BkToCstmrStmt><Stmt><Id>S</Id><Acct><Ccy>VND</Ccy></Acct>\n"
        for index in 0..<lineCount {
            text += "<Ntry><Amt Ccy=\"VND\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><AcctSvcrRef>R\(index)</AcctSvcrRef>"
                + "<NtryDtls><TxDtls><RmtInf><Ustrd>HP7K2Q9X \(index)</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        }
        return Array((text + "</Stmt></BkToCstmrStmt></Document>\n").utf8)
    }

    static func csv() -> [UInt8] {
        var text = "STT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n"
        for index in 0..<lineCount {
            text += "\(index),02/01/2024,R\(index),,\"1,000\",,\"HP7K2Q9X, NGUYEN VAN AN\"\n"
        }
        return Array(text.utf8)
    }

    @Test("lines reach the consumer while the file is still being read, and the read buffer stays small",
          arguments: ["mt940", "camt053", "bidv"])
    func streams(format: String) throws {
        let bytes = format == "mt940" ? Self.mt940() : format == "camt053" ? Self.camt() : Self.csv()
        let source = try CountingSource(bytes)
        let input = ChunkedInput(source: source, file: "big")
        let probe = FirstLineProbe(source: source)
        switch format {
        case "mt940":
            var parser = MT940Parser(input: input, consumer: probe)
            try parser.run()
        case "camt053":
            var parser = Camt053Parser(input: input, consumer: probe)
            try parser.run()
        default:
            var parser = CSVStatementParser(input: input, format: StatementFixtures.catalog.description(id: "bidv")!, consumer: probe)
            try parser.run()
        }
        #expect(probe.lineCount == Self.lineCount)
        #expect(bytes.count > 10 * StatementLimits.chunkBytes)
        #expect(try #require(probe.bytesReadAtFirstLine) <= 2 * StatementLimits.chunkBytes)
        #expect(input.bytes.count <= 4 * StatementLimits.chunkBytes)
    }
}
