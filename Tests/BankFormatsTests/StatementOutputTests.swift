import Foundation
import Testing
@testable import BankFormats

@Suite("Statement balance check, summary and JSON")
struct StatementOutputTests {
    static func statement(opening: String?, closing: String?, credits: String?, debits: String?) throws -> Statement {
        var statement = Statement(index: 2, position: SourcePosition(line: 1))
        statement.statementID = "S3"
        if let opening {
            statement.balances.append(StatementBalance(kind: .opening, code: "60F", amount: .of(opening), date: nil, position: statement.position))
        }
        if let closing {
            statement.balances.append(StatementBalance(kind: .closing, code: "62F", amount: .of(closing), date: nil, position: statement.position))
        }
        statement.totals.credits = credits.map { .of($0) }
        statement.totals.debits = debits.map { .of($0) }
        return statement
    }

    @Test("opening + credits − debits = closing, or the difference and the statement named")
    func balanceCheck() throws {
        let balanced = StatementBalanceCheck.check(try Self.statement(opening: "100", closing: "130", credits: "50", debits: "20"))
        #expect(balanced.isBalanced)
        let off = StatementBalanceCheck.check(try Self.statement(opening: "100", closing: "131.5", credits: "50", debits: "20"))
        #expect(off.outcome == .unbalanced(difference: .of("1.5")))
        #expect(off.expectedClosing == .of("130") && off.statedClosing == .of("131.5"))
        #expect(off.description == "statement 3 (S3) is off by 1.5 VND: opening + credits − debits = 130 VND, closing balance 131.5 VND")
        let noOpening = StatementBalanceCheck.check(try Self.statement(opening: nil, closing: "1", credits: nil, debits: nil))
        #expect(noOpening.outcome == .notCheckable(reason: "no opening balance"))
        let noClosing = StatementBalanceCheck.check(try Self.statement(opening: "1", closing: nil, credits: nil, debits: nil))
        #expect(noClosing.outcome == .notCheckable(reason: "no closing balance"))
        let empty = StatementBalanceCheck.check(try Self.statement(opening: "-7", closing: "-7", credits: nil, debits: nil))
        #expect(empty.isBalanced)
    }

    @Test("an unbalanced file shows in the JSON and the summary")
    func unbalancedFile() throws {
        let text = ":20:X\n:60F:C240101VND100,\n:61:240102C50,NTRFNONREF\n:62F:C240102VND151,\n"
        var output = ""
        var writer = StatementJSONWriter(format: "mt940") { output += $0 }
        try StatementParsing.parse(bytes: Array(text.utf8), name: "x", format: .mt940, descriptions: .empty, consumer: &writer)
        try writer.finish()
        #expect(output.contains("\"balanceCheck\": {\"result\":\"unbalanced\",\"difference\":\"1\",\"reason\":null}"))
        var summary = StatementSummary(format: "mt940")
        try StatementParsing.parse(bytes: Array(text.utf8), name: "x", format: .mt940, descriptions: .empty, consumer: &summary)
        #expect(summary.jsonLine == #"{"format":"mt940","statements":1,"lines":1,"unbookedLines":0,"credits":{"VND":"50"},"debits":{},"unbalancedStatements":1,"uncheckableStatements":0,"warnings":0}"#)
    }

    @Test("JSON escapes quotes, backslashes and control characters, keeps other text as is, and parses back")
    func escaping() throws {
        #expect(JSONText.quoted("a\"b\\c\nd\te\u{1}ê😀") == "\"a\\\"b\\\\c\\nd\\te\\u0001ê😀\"")
        let text = ":20:X\"Y\n:60F:C240101VND1,\n:61:240102C1,NTRFNONREF\n:86:Q\"\\\u{7}Học\n:62F:C240102VND2,\n"
        var output = ""
        var writer = StatementJSONWriter(format: "mt940") { output += $0 }
        try StatementParsing.parse(bytes: Array(text.utf8), name: "x", format: .mt940, descriptions: .empty, consumer: &writer)
        try writer.finish()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let statement = try #require((object["statements"] as? [[String: Any]])?.first)
        #expect(statement["statementId"] as? String == "X\"Y")
        let line = try #require((statement["lines"] as? [[String: Any]])?.first)
        #expect(line["memo"] as? String == "Q\"\\\u{7}Học")
        #expect(line["amount"] as? String == "1")
    }

    @Test("large outputs are handed over in pieces that join to the document")
    func pieces() throws {
        var body = ""
        for day in 1...600 { body += ":61:2401\(String(format: "%02d", day % 28 + 1))C1,NTRFNONREF\n:86:\(String(repeating: "M", count: 60))\n" }
        let text = ":20:X\n:60F:C240101VND0,\n" + body + ":62F:C240131VND600,\n"
        var pieces: [String] = []
        var writer = StatementJSONWriter(format: "mt940") { pieces.append($0) }
        try StatementParsing.parse(bytes: Array(text.utf8), name: "x", format: .mt940, descriptions: .empty, consumer: &writer)
        try writer.finish()
        #expect(pieces.count > 2)
        let object = try JSONSerialization.jsonObject(with: Data(pieces.joined().utf8)) as? [String: Any]
        #expect((object?["summary"] as? [String: Any])?["lines"] as? Int == 600)
    }

    @Test("a consumer's own error stops the parse and passes through unchanged")
    func consumerError() {
        struct Stop: Error, Equatable {}
        struct StopAtSecondLine: StatementConsumer {
            var lines = 0
            mutating func statementBegan(_ statement: Statement) throws {}
            mutating func statementLine(_ line: StatementLine) throws {
                lines += 1
                if lines == 2 { throw Stop() }
            }
            mutating func statementEnded(_ statement: Statement) throws {}
        }
        var consumer = StopAtSecondLine()
        let text = ":20:X\n:60F:C240101VND0,\n:61:240102C1,NTRFNONREF\n:61:240102C1,NTRFNONREF\n:61:240102C1,NTRFNONREF\n:62F:C240102VND3,\n"
        #expect(throws: Stop()) { try StatementParsing.parse(bytes: Array(text.utf8), name: "x", format: .mt940, descriptions: .empty, consumer: &consumer) }
        #expect(consumer.lines == 2)
    }
}
