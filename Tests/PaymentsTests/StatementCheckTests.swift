import BankFormats
import Core
import Foundation
import Payments
import Testing
import TestSupport

/// The checks of every statement: it balances (or the file is refused), and it continues the
/// previous statement of the account (a gap is reported; a strict import refuses it).
@Suite struct StatementCheckTests {
    static func september(_ reference: String, opening: Int64, days: ClosedRange<Int>, lines: [(Int, Int64)]) -> MT940Statement {
        var statement = MT940Statement()
        statement.reference = reference
        statement.opening = opening
        statement.openingDate = MT940Statement.day(days.lowerBound)
        statement.closingDate = MT940Statement.day(days.upperBound)
        statement.lines = lines.map { .init(date: MT940Statement.day($0.0), amount: $0.1, memo: "\(reference) \($0.0)",
                                            reference: "\(reference)-\($0.0)-\($0.1)") }
        return statement
    }

    @Test func anUnbalancedStatementIsRefused() throws {
        let fixture = try StatementFixture()
        var statement = Self.september("S1", opening: 1_000_000, days: 1...10, lines: [(3, 200_000), (4, -50_000)])
        statement.closingError = 1
        let before = try fixture.tableCounts()
        let error = fixture.refusal(statement.text)
        #expect(error?.code == .unbalanced)
        #expect(error?.line == 9 && error?.field == "62F", "\(String(describing: error))")
        #expect(error?.description.contains("off by 1 VND") == true, "\(String(describing: error))")
        #expect(try fixture.tableCounts() == before)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aGapIsReportedAndAContinuationIsNot() throws {
        let fixture = try StatementFixture()
        let first = Self.september("S1", opening: 1_000_000, days: 1...10, lines: [(3, 200_000), (4, -50_000)])
        #expect(try fixture.run(first.text).statements[0].continuity.status == .first)
        let second = Self.september("S2", opening: first.closing, days: 10...20, lines: [(12, 300_000)])
        let continued = try fixture.run(second.text).statements[0].continuity
        #expect(continued.status == .continuous && continued.previousReference == "S1" && continued.previousClosingBalance == first.closing)
        // Importing the second again compares it with the first, not with itself.
        #expect(try fixture.run(second.text).statements[0].continuity.status == .continuous)
        let third = Self.september("S3", opening: second.closing + 75_000, days: 20...30, lines: [(25, 100_000)])
        let result = try fixture.run(third.text)
        let gap = result.statements[0].continuity
        #expect(gap.status == .gap && gap.difference == 75_000 && gap.previousReference == "S2" && gap.previousClosingDate == second.closingDate.september)
        #expect(result.continuityGaps.count == 1 && result.counts.linesNew == 1, "a gap is reported, the file imported")
        #expect(result.summary.contains("GAP"))
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aStrictImportRefusesAGap() throws {
        let fixture = try StatementFixture()
        let first = Self.september("S1", opening: 1_000_000, days: 1...10, lines: [(3, 200_000)])
        try fixture.run(first.text, strict: true)
        let second = Self.september("S2", opening: first.closing - 10_000, days: 10...20, lines: [(12, 300_000)])
        let before = try fixture.tableCounts()
        let error = fixture.refusal(second.text, strict: true)
        #expect(error?.code == .continuityGap && error?.line == 1, "\(String(describing: error))")
        #expect(error?.description.contains("S1") == true)
        #expect(try fixture.tableCounts() == before)
        #expect(try fixture.run(second.text).continuityGaps.count == 1)
        #expect(try fixture.verify().isEmpty)
    }

    /// Statements of one file chain to each other, and a dry run of a strict import checks the same way.
    @Test func statementsInOneFileContinueEachOther() throws {
        let fixture = try StatementFixture()
        let first = Self.september("S1", opening: 5_000_000, days: 1...10, lines: [(3, 200_000)])
        let second = Self.september("S2", opening: first.closing, days: 10...20, lines: [(12, -300_000)])
        let result = try fixture.run(first.text + second.text, dryRun: true, strict: true)
        #expect(result.statements.map(\.continuity.status) == [.first, .continuous])
        #expect(result.dryRun && result.importID == nil && result.counts.linesNew == 2)
        #expect(try fixture.count("SELECT count(*) FROM bank_statements") == 0)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aStrictImportRefusesWhatCannotBeChecked() throws {
        let fixture = try StatementFixture()
        let text = StatementFormatTests.techcombank.replacingOccurrences(of: "CODE", with: "X")
            .replacingOccurrences(of: "\"Opening balance: 10,000,000\",,,,,,,\n", with: "")
            .replacingOccurrences(of: "\"Closing balance: 11,489,000\",,,,,,,\n", with: "")
        let error = fixture.refusal(text, name: "nobalance.csv", strict: true)
        #expect(error?.code == .notCheckable, "\(String(describing: error))")
        let result = try fixture.run(text, name: "nobalance.csv")
        #expect(result.statements[0].balanceCheck.hasPrefix("not checkable") && result.statements[0].continuity.status == .notCheckable)
        #expect(try fixture.verify().isEmpty)
    }
}

private extension String {
    /// `YYMMDD` of September 2026 as a date.
    var september: CalendarDate? {
        guard count == 6, let day = Int(suffix(2)) else { return nil }
        return try? CalendarDate(year: 2026, month: 9, day: day)
    }
}
