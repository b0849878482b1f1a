@testable import BankFormats
import Core
import Foundation
import Testing

/// Fixed-width end-of-day files: positions as data, records cut at them, bad records named, the
/// differences file written back at the same positions.
@Suite struct CollectionFixedWidthTests {
    /// A bank-style fixed-width layout: a header record skipped, amounts zero-padded on the left.
    static let layout = CollectionFileLayout(
        delimiter: "|", columns: ["TRANS_ID", "TRANS_TIME", "CUSTOMER_CODE", "AMOUNT"],
        fields: ["transactionID": "TRANS_ID", "paidAt": "TRANS_TIME", "customerCode": "CUSTOMER_CODE", "amount": "AMOUNT"],
        timeFormat: "yyyyMMddHHmmss",
        positions: ["TRANS_ID": .init(start: 1, length: 20), "TRANS_TIME": .init(start: 21, length: 14),
                    "CUSTOMER_CODE": .init(start: 35, length: 12), "AMOUNT": .init(start: 47, length: 15)],
        skipLines: 1)

    /// One record as a bank writes it: each value padded to its column.
    static func record(_ id: String, _ time: String, _ customer: String, _ amount: String) -> String {
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: width - text.utf8.count) }
        return pad(id, 20) + time + pad(customer, 12) + String(repeating: "0", count: 15 - amount.count) + amount
    }

    static let header = "HDR20260915BIDV"

    @Test func recordsAreCutAtTheDescribedPositions() throws {
        let text = Self.header + "\r\n" + Self.record("BIDV-1", "20260915102107", "HS0001", "1500000") + "\r\n"
            + Self.record("BIDV-2", "20260915235959", "PAY-7", "700000") + "\r\n"
        let lines = try CollectionDayFile.parse(Array(text.utf8), layout: Self.layout, file: "bidv.dat")
        #expect(lines.map(\.transactionID) == ["BIDV-1", "BIDV-2"])
        #expect(lines.map(\.amount) == [1_500_000, 700_000])
        #expect(lines.map(\.customerCode) == ["HS0001", "PAY-7"])
        #expect(lines.map(\.line) == [2, 3])
        #expect(VietnamTime.date(of: lines[1].paidAt).iso == "2026-09-15")
    }

    @Test func aBadRecordIsNamedByFileLineAndColumn() {
        let good = Self.record("BIDV-1", "20260915102107", "HS0001", "1500000")
        #expect {
            _ = try CollectionDayFile.parse(Array((Self.header + "\n" + good + "\n" + String(good.dropLast(3)) + "\n").utf8),
                                            layout: Self.layout, file: "bidv.dat")
        } throws: { error in "\(error)" == "bidv.dat:3: 58 bytes, a record has 61" }
        #expect {
            _ = try CollectionDayFile.parse(Array((Self.header + "\n" + Self.record("BIDV-1", "20260915102107", "HS0001", "45O000") + "\n").utf8),
                                            layout: Self.layout, file: "bidv.dat")
        } throws: { error in "\(error)" == "bidv.dat:2: AMOUNT: '00000000045O000' is not a positive whole number of đồng" }
        #expect {
            _ = try CollectionDayFile.parse(Array((Self.header + "\n" + good + "\n" + good + "\n").utf8), layout: Self.layout, file: "bidv.dat")
        } throws: { error in "\(error)" == "bidv.dat:3: TRANS_ID: 'BIDV-1' listed twice" }
        // A multi-byte character cut by a column's end is refused rather than read as garbage.
        let cut = Self.record("BIDV-1", "20260915102107", "HS0001", "1").replacingOccurrences(of: "HS0001      ", with: "HS0001     Đ")
        #expect {
            _ = try CollectionDayFile.parse(Array((Self.header + "\n" + cut + "\n").utf8), layout: Self.layout, file: "bidv.dat")
        } throws: { error in "\(error)" == "bidv.dat:2: CUSTOMER_CODE: a character is cut by the column's bounds" }
    }

    @Test func differencesAreWrittenBackAtTheSamePositions() throws {
        let bankLine = Self.record("BIDV-1", "20260915102107", "HS0001", "1500000")
        let parsed = try CollectionDayFile.parse(Array((Self.header + "\n" + bankLine + "\n").utf8), layout: Self.layout, file: "bidv.dat")
        let bankOnly = CollectionDifference(kind: .bankOnly, transactionID: "BIDV-1", customerCode: "HS0001", bankAmount: 1_500_000,
                                            ourAmount: nil, paidAtText: "2026-09-15T03:21:07Z", bankFields: parsed[0].fields)
        let ours = CollectionDifference(kind: .oursOnly, transactionID: "BIDV-9", customerCode: "HS0002", bankAmount: nil, ourAmount: 700_000,
                                        paidAtText: "2026-09-15T03:21:07Z", bankFields: nil)
        let matched = CollectionDifference(kind: .matched, transactionID: "BIDV-3", customerCode: "HS0003", bankAmount: 1, ourAmount: 1,
                                           paidAtText: "2026-09-15T03:21:07Z", bankFields: nil)
        let written = CollectionDayFile.differencesFile([bankOnly, matched, ours], layout: Self.layout)
        let padded = { (text: String, width: Int) in text + String(repeating: " ", count: width - text.utf8.count) }
        #expect(written == padded("BIDV-1", 20) + "20260915102107" + padded("HS0001", 12) + padded("000000001500000", 15) + "bank_only\r\n"
                + padded("BIDV-9", 20) + "20260915102107" + padded("HS0002", 12) + padded("700000", 15) + "ours_only\r\n")
        // Read back with the same layout (no header record), the bank's own line keeps its values.
        let again = CollectionFileLayout(delimiter: "|", columns: Self.layout.columns, fields: Self.layout.fields, timeFormat: Self.layout.timeFormat,
                                         positions: Self.layout.positions)
        let reread = try CollectionDayFile.parse(Array(written.utf8), layout: again, file: "back.dat")
        #expect(reread.map(\.transactionID) == ["BIDV-1", "BIDV-9"] && reread.map(\.amount) == [1_500_000, 700_000])
        #expect(CollectionDayFile.differencesFile([matched], layout: Self.layout) == "")
    }

    @Test func unsoundPositionsAreRefusedWhenTheDescriptionLoads() throws {
        func problem(_ positions: [String: CollectionFieldPosition], skip: Int? = nil) -> String? {
            CollectionDayFile.positionProblem(CollectionFileLayout(delimiter: "|", columns: Self.layout.columns, fields: Self.layout.fields,
                                                                   timeFormat: Self.layout.timeFormat, positions: positions, skipLines: skip))
        }
        var positions = Self.layout.positions!
        #expect(problem(positions) == nil)
        positions["AMOUNT"] = .init(start: 40, length: 15)
        #expect(problem(positions) == "positions.AMOUNT: overlaps CUSTOMER_CODE")
        positions["AMOUNT"] = .init(start: 0, length: 15)
        #expect(problem(positions) == "positions.AMOUNT: start from 1, length from 1, ending within 1024 bytes")
        positions["AMOUNT"] = nil
        #expect(problem(positions) == "positions: exactly one position per column")
        #expect(problem(Self.layout.positions!, skip: 11) == "skipLines: 0 to 10")

        // Through the loader: the description file and key are named.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collections-fixed-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = try String(contentsOf: CollectionFormatTests.directory.appendingPathComponent("vnbank.json"), encoding: .utf8)
        // The file layout's time format is the one ending its line (the request time format ends with a comma).
        text = text.replacingOccurrences(of: "\"timeFormat\": \"yyyyMMddHHmmss\"\n", with: #""timeFormat": "yyyyMMddHHmmss", "positions": {"#
            + #""STT": {"start": 1, "length": 6}, "TRANS_ID": {"start": 7, "length": 20}, "TRANS_TIME": {"start": 27, "length": 14},"#
            + #""CUSTOMER_CODE": {"start": 41, "length": 12}, "AMOUNT": {"start": 50, "length": 15}}"# + "\n")
        try text.write(to: directory.appendingPathComponent("vnbank.json"), atomically: true, encoding: .utf8)
        #expect {
            _ = try CollectionCatalog.load(directory: directory)
        } throws: { error in "\(error)" == "vnbank.json: file.positions.AMOUNT: overlaps CUSTOMER_CODE" }
        text = text.replacingOccurrences(of: #""start": 50"#, with: #""start": 53"#)
        try text.write(to: directory.appendingPathComponent("vnbank.json"), atomically: true, encoding: .utf8)
        #expect(try CollectionCatalog.load(directory: directory).description(for: "vnbank")?.file.isFixedWidth == true)
    }
}
