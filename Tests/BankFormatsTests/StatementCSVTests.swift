import Core
import Foundation
import TestSupport
import Testing
@testable import BankFormats

@Suite("CSV statements")
struct StatementCSVTests {
    /// A small description; `overrides` replaces top-level JSON members.
    static func catalog(_ overrides: [String: String] = [:]) throws -> CSVFormatCatalog {
        var members: [String: String] = [
            "id": "\"test\"", "name": "\"Test bank\"", "encoding": "\"utf-8\"", "delimiter": "\",\"",
            "columns": """
            {"bookingDate": ["Ngày giao dịch", "Date"], "reference": ["Số GD"], "debit": ["Ghi nợ"], "credit": ["Ghi có"],
             "memo": ["Mô tả"], "balance": ["Số dư"], "counterpartyName": ["Người chuyển"]}
            """,
            "dateFormats": "[\"dd/MM/yyyy\", \"dd/MM/yyyy HH:mm:ss\", \"yyyy-MM-dd\"]",
            "amount": "{\"thousandsSeparator\": \",\", \"decimalSeparator\": \".\"}",
            "labels": "{\"account\": [\"Số tài khoản\"], \"openingBalance\": [\"DƯ ĐẦU\"], \"closingBalance\": [\"DƯ CUỐI\"]}",
            "footerStartsWith": "[\"Tổng cộng\"]",
        ]
        for (key, value) in overrides { members[key] = value }
        let json = "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",") + "}"
        return CSVFormatCatalog(descriptions: [try StatementFixtures.description(json)])
    }

    static let header = "Ngày giao dịch,Số GD,Ghi nợ,Ghi có,Số dư,Mô tả,Người chuyển\n"

    static func parse(_ text: String, _ overrides: [String: String] = [:]) throws -> StatementRecorder {
        try StatementFixtures.parse(text, format: .csv("test"), catalog: catalog(overrides))
    }

    static func error(_ text: String, _ overrides: [String: String] = [:]) throws -> StatementParseError? {
        StatementFixtures.parseError(text, format: .csv("test"), catalog: try catalog(overrides))
    }

    @Test("header found after title rows by normalised names; labels before and inside the table; footer ends the table")
    func layout() throws {
        let text = "NGÂN HÀNG TEST\nSAO KÊ\nSố tài khoản: 0011001234567 - TRUONG A\n\n" + Self.header
            + ",DƯ ĐẦU,,,\"1,000,000\",,\n"
            + "02/01/2024,GD1,,\"1,500,000\",\"2,500,000\",HP7K2Q9X NGUYEN VAN AN,NGUYEN VAN B\n"
            + "03/01/2024 10:00:00,GD2,\"200,000.00\",,\"2,300,000\",Phi,\n"
            + "\n"
            + "Tổng cộng,,\"200,000\",\"1,500,000\",,,\n"
            + "Người lập biểu,,,,,,\n"
            + ",DƯ CUỐI,,,\"2,300,000\",,\n"
        let recorder = try Self.parse(text)
        #expect(recorder.lines.count == 2)
        let statement = try #require(recorder.ended.first)
        #expect(statement.account == "0011001234567")
        #expect(statement.openingBalance?.amount == .of("1000000") && statement.openingBalance?.code == "DƯ ĐẦU")
        #expect(statement.closingBalance?.amount == .of("2300000"))
        #expect(recorder.began[0].openingBalance != nil)
        #expect(recorder.lines[0].amount == .of("1500000"))
        #expect(recorder.lines[0].bankReference == "GD1")
        #expect(recorder.lines[0].counterpartyName == "NGUYEN VAN B")
        #expect(recorder.lines[0].balanceAfter == .of("2500000"))
        #expect(recorder.lines[0].position.line == 7)
        #expect(recorder.lines[1].amount == .of("-200000"))
        #expect(recorder.lines[1].bookingDate == (try CalendarDate(year: 2024, month: 1, day: 3)))
        #expect(StatementBalanceCheck.check(statement).isBalanced)
    }

    @Test("quoted fields hold delimiters, doubled quotes and line breaks; records keep their first line number")
    func quoting() throws {
        let text = Self.header + "02/01/2024,GD1,,100,,\"A, \"\"B\"\"\nC\",X\n03/01/2024,GD2,,5,,D,\n"
        let recorder = try Self.parse(text)
        #expect(recorder.lines.map(\.memo) == ["A, \"B\" C", "D"])
        #expect(recorder.lines.map(\.position.line) == [2, 4])
    }

    @Test("both thousands styles, trailing decimals, parentheses and minus for negatives, a signed amount column")
    func amountStyles() throws {
        let dots = "{\"thousandsSeparator\": \".\", \"decimalSeparator\": \",\"}"
        let text = Self.header + "02/01/2024,A,,\"1.500.000,00\",,m,\n02/01/2024,B,\"25.000\",,,m,\n02/01/2024,C,,\"1.234,5\",,m,\n"
        #expect(try Self.parse(text, ["amount": dots]).lines.map(\.amount) == [.of("1500000"), .of("-25000"), .of("1234.5")])

        let signedColumns = "{\"bookingDate\": [\"Date\"], \"amount\": [\"Amount\"], \"memo\": [\"Memo\"]}"
        let signed = "Date,Amount,Memo\n02/01/2024,\"1,500,000.00\",a\n02/01/2024,\"(150,000)\",b\n02/01/2024,-2000,c\n02/01/2024,+7,d\n"
        #expect(try Self.parse(signed, ["columns": signedColumns]).lines.map(\.amount)
                == [.of("1500000"), .of("-150000"), .of("-2000"), .of("7")])

        for bad in ["1,50,000", "1.500.000", "(1,000", "--5", "1,000a", "(-5)", "1,000,0000"] {
            let error = try Self.error("Date,Amount,Memo\n02/01/2024,\"\(bad)\",x\n", ["columns": signedColumns])
            #expect(error?.field == "Amount" && error?.line == 2, "\(bad): \(error?.description ?? "no error")")
        }
    }

    @Test("date formats: dd/MM/yyyy, with time, yyyy-MM-dd, one-digit day and month")
    func dateFormats() throws {
        let text = Self.header + "05/01/2024,A,,1,,m,\n05/01/2024 23:59:59,B,,1,,m,\n2024-01-05,C,,1,,m,\n"
        let dates = try Self.parse(text).lines.map(\.bookingDate)
        #expect(dates.allSatisfy { $0 == (try? CalendarDate(year: 2024, month: 1, day: 5)) })
        let short = try Self.parse(Self.header + "5/1/2024,A,,1,,m,\n", ["dateFormats": "[\"d/M/yyyy\"]"])
        #expect(short.lines[0].bookingDate == (try CalendarDate(year: 2024, month: 1, day: 5)))
        let pattern = try CSVDatePattern("dd/MM/yyyy HH:mm:ss")
        for bad in ["32/01/2024 00:00:00", "01/13/2024 00:00:00", "01/01/2024 24:00:00", "01/01/2024", "1/01/2024 00:00:00"] {
            #expect(pattern.date(Array(bad.utf8)[...]) == nil, "\(bad)")
        }
    }

    @Test("UTF-8 with BOM, UTF-16 little- and big-endian with BOM, surrogate pairs")
    func encodings() throws {
        let text = Self.header + "02/01/2024,GD1,,100,,Học phí 😀,\n"
        let bom = try StatementFixtures.parse(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), format: .csv("test"), catalog: Self.catalog())
        #expect(bom.lines[0].memo == "Học phí 😀")
        for (bigEndian, mark) in [(false, [UInt8]([0xFF, 0xFE])), (true, [UInt8]([0xFE, 0xFF]))] {
            var bytes = mark
            for unit in text.replacingOccurrences(of: ",", with: "\t").utf16 {
                bytes += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            }
            let recorder = try StatementFixtures.parse(bytes: bytes, format: .csv("test"),
                                                       catalog: Self.catalog(["encoding": "\"utf-16\"", "delimiter": "\"\\t\""]))
            #expect(recorder.lines[0].memo == "Học phí 😀", "big-endian \(bigEndian)")
        }
        let lone: [UInt8] = [0xFF, 0xFE] + Array("a\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x00, 0xD8, 0x41, 0x00]
        let error = StatementFixtures.parseError(bytes: lone, format: .csv("test"), catalog: try Self.catalog(["encoding": "\"utf-16\""]))
        #expect(error?.kind == .encoding && error?.line == 2)
        let utf16AsUTF8 = StatementFixtures.parseError(bytes: [0xFF, 0xFE, 0x41, 0x00], format: .csv("test"), catalog: try Self.catalog())
        #expect(utf16AsUTF8?.kind == .encoding)
        let noMark = StatementFixtures.parseError(bytes: [0x41, 0x00], format: .csv("test"), catalog: try Self.catalog(["encoding": "\"utf-16\""]))
        #expect(noMark?.message.contains("byte order mark") == true)
    }

    @Test("row errors name the line and the column header")
    func rowErrors() throws {
        let cases: [(String, Int, String?, String)] = [
            (Self.header + "02/01/2024,A,,1,,m,\nhello,B,,1,,m,\n", 3, "Ngày giao dịch", "not a date"),
            (Self.header + "02/01/2024,A,5,1,,m,\n", 2, nil, "both a debit"),
            (Self.header + "02/01/2024,A,,1,,m,\n02/01/2024,B,,x,,m,\n", 3, "Ghi có", "not an amount"),
            (Self.header + "02/01/2024,A,,1,,m\"x,\n", 2, nil, "quote inside an unquoted field"),
            (Self.header + "02/01/2024,A,,1,,\"m\"x,\n", 2, nil, "after the closing quote"),
            (Self.header + "02/01/2024,A,,1,,\"never closed\n", 2, nil, "never closed"),
            ("title\n" + Self.header.replacingOccurrences(of: "Ghi có", with: "Credit"), 0, nil, "no header row"),
            ("Số tài khoản: 1\nSố tài khoản: 2\n" + Self.header, 2, nil, "second account"),
            (Self.header + ",DƯ ĐẦU,,,abc,,\n", 2, nil, "not an amount"),
            (Self.header + ",DƯ ĐẦU,,,1,,\n,DƯ ĐẦU,,,1,,\n", 3, nil, "second opening"),
        ]
        for (text, line, field, message) in cases {
            let error = try Self.error(text)
            #expect(error?.line == (line == 0 ? nil : line), "\(text): \(error?.description ?? "no error")")
            #expect(error?.field == field, "\(text): \(error?.description ?? "no error")")
            #expect(error?.message.contains(message) == true, "\(text): \(error?.description ?? "no error")")
        }
    }

    @Test("limits: fields per record and record length")
    func limits() throws {
        let wide = Self.header + "02/01/2024" + String(repeating: ",", count: StatementLimits.fieldsPerRecordMax) + "\n"
        #expect(try Self.error(wide)?.kind == .limit)
        let long = Self.header + "02/01/2024,A,,1,,\"" + String(repeating: "x", count: StatementLimits.recordBytesMax) + "\",\n"
        #expect(try Self.error(long)?.kind == .limit)
    }

    @Test("descriptions are checked field by field when loaded")
    func descriptionChecks() throws {
        let cases: [([String: String], String)] = [
            (["columns": "{\"bookingDate\": [\"D\"], \"amount\": [\"A\"], \"debit\": [\"X\"], \"credit\": [\"Y\"]}"], "columns"),
            (["columns": "{\"amount\": [\"A\"]}"], "columns"),
            (["columns": "{\"bookingDate\": [\"D\"], \"amount\": [\"A\"], \"colour\": [\"C\"]}"], "columns.colour"),
            (["delimiter": "\";;\""], "delimiter"),
            (["dateFormats": "[\"MM/yyyy\"]"], "dateFormats"),
            (["amount": "{\"thousandsSeparator\": \".\", \"decimalSeparator\": \".\"}"], "amount"),
            (["id": "\"../x\""], "id"),
            (["currency": "\"dong\""], "currency"),
            (["requiredColumns": "[\"payer\"]"], "requiredColumns"),
            // A misspelt key would otherwise be ignored and its setting silently lost.
            (["footerStartWith": "[\"Tong\"]"], "footerStartWith"),
            (["amount": "{\"thousandsSeparator\": \".\", \"decimalSeperator\": \",\"}"], "amount.decimalSeperator"),
        ]
        for (overrides, field) in cases {
            let error = #expect(throws: CSVFormatDescriptionError.self, "\(overrides)") { try Self.catalog(overrides) }
            #expect(error?.file == "test.json" && error?.field == field, "\(overrides): \(String(describing: error))")
            #expect(error?.description.hasPrefix("test.json: field \(field): ") == true)
        }
        let missing = #expect(throws: CSVFormatDescriptionError.self) { try StatementFixtures.description("{\"id\": \"x\"}") }
        #expect(missing?.message.contains("missing field 'name'") == true)
    }

    @Test("the shipped catalog holds the five banks, each id its file name")
    func shippedCatalog() {
        #expect(StatementFixtures.catalog.ids == ["bidv", "mb", "techcombank", "vietcombank", "vietinbank"])
        let unknown = StatementFixtures.parseError("a,b\n", format: .csv("acb"))
        #expect(unknown?.kind == .format && unknown?.message.contains("bidv, mb") == true)
    }
}

@Suite("CSV header normalisation")
struct StatementCSVNormalizationTests {
    @Test("the ASCII fast path normalises exactly like VietnameseText.normalized")
    func asciiFastPath() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("aZ09 ._-/:()\t,xyzAB".utf8)
        for _ in 0..<2_000 {
            let text = String(decoding: (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
            #expect(CSVRowText.normalized(text) == VietnameseText.normalized(text), "\(text)")
        }
        #expect(CSVRowText.normalized("NGÀY HIỆU LỰC") == "NGAY HIEU LUC")
    }
}

@Suite("CSV description fields")
struct StatementCSVFieldTests {
    @Test("field ordinals follow allCases")
    func ordinals() {
        #expect(CSVFormatDescription.Field.allCases.map(\.ordinal) == Array(0..<CSVFormatDescription.Field.allCases.count))
    }
}
