@testable import API
import Core
import Foundation
import Ledger
import Payments
import Testing
import TestSupport

/// The OpenAPI document says exactly what the server accepts: every pattern agrees with the validator it
/// documents, every parameter is constrained, and every link names real operations and response fields.
@Suite struct OpenAPIContractTests {
    // MARK: - Patterns against their validators

    @Test func monthPatternIsWhatCalendarMonthReads() throws {
        let regex = try Regex(CalendarMonth.isoPattern)
        var samples = ["", "2026-9", "2026-09 ", " 2026-09", "2026/09", "+026-09", "２０２６-09", "2026-09-01", "20260-09"]
        for year in [0, 999, 1899, 1900, 1901, 1999, 2000, 2026, 2999, 3000, 9999] {
            for month in 0...13 { samples.append(pad(year, 4) + "-" + pad(month, 2)) }
        }
        for text in samples {
            let parses = (try? CalendarMonth(iso: text)) != nil
            #expect(parses == (text.wholeMatch(of: regex) != nil), "'\(text)': parser \(parses)")
        }
    }

    @Test func datePatternWithTheDateFormatIsWhatCalendarDateReads() throws {
        let regex = try Regex(CalendarDate.isoPattern)
        var samples = ["", "2026-09-1", "2026-9-01", "2026-09-01 ", "2026/09/01", "2026-09-01T00:00:00Z"]
        for year in [1899, 1900, 2000, 2024, 2026, 2100, 2999, 3000] {
            for month in [0, 1, 2, 4, 12, 13] {
                for day in [0, 1, 28, 29, 30, 31, 32] { samples.append(pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)) }
            }
        }
        for text in samples {
            let parses = (try? CalendarDate(iso: text)) != nil
            let documented = text.wholeMatch(of: regex) != nil && Self.isFullDate(text)
            #expect(parses == documented, "'\(text)': parser \(parses)")
        }
    }

    @Test func statementFileNamePatternIsWhatTheRouteTakes() throws {
        let regex = try Regex(StatementEndpoints.fileNamePattern).matchingSemantics(.unicodeScalar)
        let samples = ["", "a", "sept.sta", "a\u{0}", "a\tb", "a\u{7F}", "a\u{85}", "a\u{9F}", "a\u{A0}", "tháng 9.sta", "e\u{301}",
                       String(repeating: "a", count: 255), String(repeating: "a", count: 256), String(repeating: "e\u{301}", count: 128)]
        for text in samples {
            let documented = text.wholeMatch(of: regex) != nil && (1...255).contains(text.unicodeScalars.count)
            #expect(StatementImportRequest.isFileName(text) == documented, "'\(text.debugDescription)'")
        }
    }

    @Test func schoolCodePatternIsWhatSchoolsAccept() throws {
        let regex = try Regex(Schools.codePattern)
        var samples = ["", "A", "AB", "-AB", "A-", "ab", "TH-BADINH", "TH BADINH", "TH_BADINH", "Ă1", String(repeating: "A", count: 32),
                       String(repeating: "A", count: 33), "1-", "12", "A\u{0}"]
        var random = SplitMix64(seed: 14)
        let alphabet = Array("AZ09-az_ .Đ")
        for _ in 0..<2_000 {
            let length = Int(random.next() % 36)
            samples.append(String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        }
        for text in samples {
            #expect(Schools.isOfficialCode(text) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
    }

    @Test func booleanPatternIsWhatTheBooleanParameterReads() throws {
        guard case .patterned(let pattern, _) = APIParameterSchemas.boolean else {
            Issue.record("the boolean parameter has no pattern")
            return
        }
        let regex = try Regex(pattern)
        let samples = ["true", "TRUE", "True", "tRuE", "1", "yes", "YES", "false", "FALSE", "0", "no", "No", "", "t", "2", "yess", " true", "on", "off"]
        for text in samples {
            #expect((APIParameterSchemas.parseBoolean(text) != nil) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
        #expect(APIParameterSchemas.parseBoolean("TRUE") == true)
        #expect(APIParameterSchemas.parseBoolean("No") == false)
    }

    @Test func reportYearPatternIsWhatTheReportsRead() throws {
        guard case .patterned(let pattern, _) = APIParameterSchemas.reportYear else {
            Issue.record("the report year has no pattern")
            return
        }
        let regex = try Regex(pattern)
        let samples = ["", "1999", "2000", "2026", "2999", "3000", "+200", "200", "20260", "２０２６", " 2026", "-2026"]
        for text in samples {
            #expect((APIParameterSchemas.parseReportYear(text) != nil) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
    }

    @Test func idPatternIsAPositiveInt64() throws {
        let regex = try Regex(APIParameterSchemas.idPattern)
        for text in ["1", "42", "999999999999999999", "0", "01", "-1", "+1", "", "1a", "１"] {
            #expect((APIParameterSchemas.id(text) != nil) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
        #expect(APIParameterSchemas.id("42") == 42)
        // 19 digits past Int64.max match the pattern and name no record: 404, like any id that does not exist.
        #expect(APIParameterSchemas.id("9999999999999999999") == nil)
    }

    @Test func cursorPatternIsWhatTheFeedReads() throws {
        let regex = try Regex(FeedEndpoints.cursorPattern)
        var samples = ["", "!!", "djE6", "dzI6MTkwMDAxMDE", String(repeating: "A", count: 80), FeedEndpoints.encodeCursor("19000123"),
                       FeedEndpoints.encodeCursor("UB-XA"), FeedEndpoints.encodeCursor(String(repeating: "9", count: 45))]
        var random = SplitMix64(seed: 7)
        let alphabet = Array("ABCQgw048_-zE6dj=+/")
        for _ in 0..<3_000 {
            let length = Int(random.next() % 66)
            samples.append("djE6" + String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        }
        for text in samples {
            #expect((FeedEndpoints.position(ofCursor: text) != nil) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
        #expect(FeedEndpoints.position(ofCursor: FeedEndpoints.encodeCursor("19000123")) == "19000123")
    }

    // MARK: - The document

    @Test func everyParameterIsConstrainedAndEveryLinkResolves() throws {
        let server = try APITestServer()
        let document = try server.client.get("/openapi.json").json
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        var operations: [String: (path: String, operation: [String: Any])] = [:]
        for (path, methods) in paths {
            for case let (_, operation as [String: Any]) in methods {
                operations[operation["operationId"] as? String ?? ""] = (path, operation)
            }
        }
        // Values the server takes as they come (an unknown student filters to nothing, a file name is only quoted).
        let freeText: Set<String> = ["student", "file_name", "account", "format", "cursor"]
        for (id, entry) in operations {
            for parameter in entry.operation["parameters"] as? [[String: Any]] ?? [] {
                let name = parameter["name"] as? String ?? ""
                let schema = parameter["schema"] as? [String: Any] ?? [:]
                let constrained = schema["pattern"] != nil || schema["enum"] != nil || schema["maxLength"] != nil || schema["maximum"] != nil || schema["oneOf"] != nil
                if parameter["in"] as? String == "path" {
                    #expect(schema["pattern"] != nil, "\(id): path parameter \(name) has a row in APIParameterSchemas.path")
                } else if !freeText.contains(name) {
                    #expect(constrained, "\(id): query parameter \(name) states what the server accepts")
                }
            }
            for (code, response) in entry.operation["responses"] as? [String: [String: Any]] ?? [:] {
                for (name, link) in response["links"] as? [String: [String: Any]] ?? [:] {
                    try checkLink(name, link, from: entry.operation, status: code, operations: operations, schemas: schemas)
                }
            }
        }
        #expect(OpenAPILinks.all.count >= 10)
        for row in OpenAPILinks.all {
            #expect(operations[OpenAPIDocument.operationID(row.from.method, row.from.template)] != nil, "\(row.name): its source is an operation")
        }
    }

    func checkLink(_ name: String, _ link: [String: Any], from source: [String: Any], status: String,
                   operations: [String: (path: String, operation: [String: Any])], schemas: [String: Any]) throws {
        let target = try #require(operations[link["operationId"] as? String ?? ""], "\(name): its operation exists")
        let parameters = link["parameters"] as? [String: String] ?? [:]
        let pathNames = (target.operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String }
        #expect(Set(parameters.keys) == Set(pathNames), "\(name) gives every path parameter of \(target.path)")
        let responses = source["responses"] as? [String: [String: Any]] ?? [:]
        let content = (responses[status]?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        for (parameter, expression) in parameters where expression.hasPrefix("$response.body#") {
            var schema = content?["schema"] as? [String: Any] ?? [:]
            for token in expression.dropFirst("$response.body#/".count).split(separator: "/") {
                schema = resolve(schema, schemas)
                if schema["type"] as? String == "array" {
                    #expect(Int(token) != nil, "\(name).\(parameter): an index into an array")
                    schema = schema["items"] as? [String: Any] ?? [:]
                } else {
                    let properties = schema["properties"] as? [String: Any] ?? [:]
                    schema = try #require(properties[String(token)] as? [String: Any], "\(name).\(parameter): '\(token)' is a response field")
                }
            }
        }
    }

    func resolve(_ schema: [String: Any], _ schemas: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String else { return schema }
        return schemas[String(reference.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
    }

    func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// RFC 3339 full-date: the day exists in its month (Gregorian leap years), written independently of `CivilDay`.
    static func isFullDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return false }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...days[month - 1]).contains(day)
    }
}
