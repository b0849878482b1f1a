import Foundation
@testable import BankFormats

/// Records everything a parse delivers, in order.
struct StatementRecorder: StatementConsumer {
    enum Event: Equatable {
        case began(Int)
        case line(Int)
        case ended(Int)
    }

    var events: [Event] = []
    var began: [Statement] = []
    var lines: [StatementLine] = []
    var ended: [Statement] = []
    var warnings: [StatementWarning] = []

    mutating func statementBegan(_ statement: Statement) throws {
        events.append(.began(statement.index))
        began.append(statement)
    }

    mutating func statementLine(_ line: StatementLine) throws {
        events.append(.line(line.statementIndex))
        lines.append(line)
    }

    mutating func statementEnded(_ statement: Statement) throws {
        events.append(.ended(statement.index))
        ended.append(statement)
    }

    mutating func statementWarning(_ warning: StatementWarning) throws {
        warnings.append(warning)
    }
}

/// Consumes and forgets: for robustness runs, where only "no crash, clean error" matters.
struct DiscardingConsumer: StatementConsumer {
    var lineCount = 0
    mutating func statementBegan(_ statement: Statement) throws {}
    mutating func statementLine(_ line: StatementLine) throws { lineCount += 1 }
    mutating func statementEnded(_ statement: Statement) throws {}
}

enum StatementFixtures {
    /// The repository's `bank-formats` directory, found by walking up from this file.
    static let bankFormatsDirectory: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("bank-formats")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("statements").path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        preconditionFailure("bank-formats/ not found above \(#filePath)")
    }()

    static var samplesDirectory: String { bankFormatsDirectory + "/samples" }

    static let catalog: CSVFormatCatalog = {
        do { return try CSVFormatCatalog(directory: bankFormatsDirectory + "/statements") } catch {
            preconditionFailure("the shipped descriptions must load: \(error)")
        }
    }()

    static func sample(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: samplesDirectory + "/" + name) else {
            preconditionFailure("missing sample \(name)")
        }
        return [UInt8](data)
    }

    /// Sample files with their expected parse: `<stem>.<ext>` beside `<stem>.expected.json`.
    static func samplesWithExpectations() -> [(sample: String, expected: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samplesDirectory)) ?? []
        return names.filter { !$0.hasSuffix(".expected.json") && !$0.hasPrefix(".") }.sorted().map { name in
            let stem = (name as NSString).deletingPathExtension
            return (name, stem + ".expected.json")
        }
    }

    static func parse(_ text: String, format: StatementFormat, catalog: CSVFormatCatalog = catalog, strict: Bool = false) throws -> StatementRecorder {
        try parse(bytes: Array(text.utf8), format: format, catalog: catalog, strict: strict)
    }

    static func parse(bytes: [UInt8], format: StatementFormat, catalog: CSVFormatCatalog = catalog, strict: Bool = false) throws -> StatementRecorder {
        var recorder = StatementRecorder()
        try StatementParsing.parse(bytes: bytes, name: "test", format: format, descriptions: catalog, strict: strict, consumer: &recorder)
        return recorder
    }

    /// The error a parse throws, nil when it succeeds.
    static func parseError(_ text: String, format: StatementFormat, catalog: CSVFormatCatalog = catalog, strict: Bool = false) -> StatementParseError? {
        parseError(bytes: Array(text.utf8), format: format, catalog: catalog, strict: strict)
    }

    static func parseError(bytes: [UInt8], format: StatementFormat, catalog: CSVFormatCatalog = catalog, strict: Bool = false) -> StatementParseError? {
        do {
            _ = try parse(bytes: bytes, format: format, catalog: catalog, strict: strict)
            return nil
        } catch let error as StatementParseError {
            return error
        } catch {
            preconditionFailure("a parse threw a non-parse error: \(error)")
        }
    }

    static func description(_ json: String) throws -> CSVFormatDescription {
        try CSVFormatDescription(json: Data(json.utf8), file: "test.json")
    }
}

extension StatementAmount {
    /// A test shorthand: `StatementAmount.of("1234.56", "EUR")`.
    static func of(_ text: String, _ currency: String = "VND") -> StatementAmount {
        try! StatementAmount(parsing: text.utf8, decimalSeparator: UInt8(ascii: "."), currency: currency)
    }
}
