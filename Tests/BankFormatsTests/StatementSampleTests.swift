import Foundation
import Testing
@testable import BankFormats

@Suite("Statement samples")
struct StatementSampleTests {
    static func json(ofFile path: String, format: StatementFormat = .auto) throws -> String {
        let resolved = try StatementParsing.resolveFormat(fileAt: path, format: format, descriptions: StatementFixtures.catalog)
        var output = ""
        var writer = StatementJSONWriter(format: resolved.name) { output += $0 }
        try StatementParsing.parse(fileAt: path, format: resolved, descriptions: StatementFixtures.catalog, consumer: &writer)
        try writer.finish()
        return output
    }

    @Test("every sample parses (format detected) to exactly its expected JSON", arguments: StatementFixtures.samplesWithExpectations().map(\.sample))
    func sampleMatchesExpectation(sample: String) throws {
        let expectedPath = StatementFixtures.samplesDirectory + "/" + (sample as NSString).deletingPathExtension + ".expected.json"
        let expected = try #require(FileManager.default.contents(atPath: expectedPath), "\(sample) has no expected parse beside it")
        let actual = try Self.json(ofFile: StatementFixtures.samplesDirectory + "/" + sample)
        #expect(actual == String(decoding: expected, as: UTF8.self))
        // The expected files are JSON documents, and every statement in a sample balances.
        let object = try #require(try JSONSerialization.jsonObject(with: expected) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["unbalancedStatements"] as? Int == 0)
        #expect(summary["uncheckableStatements"] as? Int == 0)
    }

    @Test("the shipped samples cover every bank description as CSV and as xlsx, MT940 and both camt versions, UTF-16 and UTF-8 with BOM")
    func coverage() throws {
        let samples = StatementFixtures.samplesWithExpectations().map(\.sample)
        var formats: Set<String> = []
        var encodings: Set<String> = []
        for sample in samples {
            let path = StatementFixtures.samplesDirectory + "/" + sample
            formats.insert(try StatementParsing.resolveFormat(fileAt: path, format: .auto, descriptions: StatementFixtures.catalog).name)
            let head = StatementFixtures.sample(sample).prefix(3)
            if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { encodings.insert("utf-16") }
            if head.starts(with: [0xEF, 0xBB, 0xBF]) { encodings.insert("utf-8-bom") }
        }
        let expected = Set(["mt940", "camt053"] + StatementFixtures.catalog.ids.map { "csv:" + $0 } + StatementFixtures.catalog.ids.map { "xlsx:" + $0 })
        #expect(formats == expected)
        #expect(encodings == ["utf-16", "utf-8-bom"])
        #expect(samples.contains("camt053-v02.xml") && samples.contains("camt053-v08.xml"))
    }

    @Test("a sample parsed from memory delivers the same as from its file")
    func memoryAndFileAgree() throws {
        for sample in StatementFixtures.samplesWithExpectations().map(\.sample) {
            let fromMemory = try StatementFixtures.parse(bytes: StatementFixtures.sample(sample), format: .auto)
            var fromFile = StatementRecorder()
            try StatementParsing.parse(fileAt: StatementFixtures.samplesDirectory + "/" + sample, descriptions: StatementFixtures.catalog, consumer: &fromFile)
            #expect(fromMemory.lines == fromFile.lines && fromMemory.ended == fromFile.ended, "\(sample)")
        }
    }

    @Test("a file larger than fileBytesMax is refused before it is read")
    func tooLarge() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("statement-too-large-\(getpid()).sta").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(":20:X\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A sparse file: the size is there, the disk space is not.
        #expect(truncate(path, off_t(StatementLimits.fileBytesMax + 1)) == 0)
        var recorder = StatementRecorder()
        let error = #expect(throws: StatementParseError.self) {
            try StatementParsing.parse(fileAt: path, format: .mt940, descriptions: .empty, consumer: &recorder)
        }
        #expect(error?.kind == .limit && error?.file == path)
        #expect(recorder.events.isEmpty)
    }

    @Test("a missing file is an I/O error naming the file")
    func missingFile() {
        var recorder = StatementRecorder()
        #expect(throws: StatementParseError(.io, file: "/nonexistent/x.sta", message: "cannot open: No such file or directory")) {
            try StatementParsing.parse(fileAt: "/nonexistent/x.sta", format: .mt940, descriptions: .empty, consumer: &recorder)
        }
    }
}

@Suite("Statement format detection")
struct StatementDetectionTests {
    static func detect(_ text: String, catalog: CSVFormatCatalog = StatementFixtures.catalog) throws -> StatementFormat {
        try StatementFormatDetector.detect(prefix: Array(text.utf8), descriptions: catalog, file: "x")
    }

    @Test("MT940 from its first field or SWIFT block, camt.053 from its root, CSV from its header")
    func detection() throws {
        #expect(try Self.detect("\r\n:20:REF\r\n:25:1\r\n") == .mt940)
        #expect(try Self.detect("{1:F01BANK}{2:O940}{4:\n:20:X\n") == .mt940)
        #expect(try Self.detect("\u{FEFF}<?xml version=\"1.0\"?><Document><BkToCstmrStmt>") == .camt053)
        #expect(try Self.detect("STT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n") == .csv("bidv"))
        #expect(try Self.detect("Date,Remitter,Bank,Details,Transaction No,Debit,Credit,Balance\n") == .csv("techcombank"))
    }

    @Test("no fit and ties are clear errors")
    func failures() throws {
        let notStatement = "the file is XML but neither a camt.053 statement nor a camt.054 notification (no BkToCstmrStmt or BkToCstmrDbtCdtNtfctn element near the start)"
        #expect(throws: StatementParseError(.format, file: "x", message: notStatement)) { try Self.detect("<Document><BkToCstmrAcctRpt>") }
        let none = "the file is neither MT940, camt.053 nor a known CSV export (CSV formats: bidv, mb, techcombank, vietcombank, vietinbank)"
        #expect(throws: StatementParseError(.format, file: "x", message: none)) { try Self.detect("hello,world\n1,2\n") }
        let shipped = StatementFixtures.catalog.description(id: "bidv")!
        var twin = shipped
        twin.id = "bidv-copy"
        #expect(throws: StatementParseError(.format, file: "x", message: "the file fits several CSV formats equally: bidv, bidv-copy; choose one with --format")) {
            try Self.detect("STT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n", catalog: CSVFormatCatalog(descriptions: [shipped, twin]))
        }
    }

    @Test("keywords above the header break a tie between look-alike layouts")
    func keywords() throws {
        let shipped = StatementFixtures.catalog.description(id: "bidv")!
        var twin = shipped
        twin.id = "other"
        twin.detectKeywords = ["OTHER BANK"]
        let catalog = CSVFormatCatalog(descriptions: [shipped, twin])
        #expect(try Self.detect("Other Bank\nSTT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n", catalog: catalog) == .csv("other"))
        #expect(try Self.detect("BIDV\nSTT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n", catalog: catalog) == .csv("bidv"))
    }

    @Test("format arguments read back their names")
    func arguments() {
        for format in [StatementFormat.auto, .mt940, .camt053, .csv("bidv")] {
            #expect(StatementFormat(argument: format.name) == format)
        }
        #expect(StatementFormat(argument: "camt.053") == .camt053)
        #expect(StatementFormat(argument: "vietcombank") == .csv("vietcombank"))
        #expect(StatementFormat(argument: "csv:") == nil)
    }
}
