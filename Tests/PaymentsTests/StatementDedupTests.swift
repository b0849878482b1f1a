import BankFormats
import Core
import Foundation
import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// Every line is imported once: by the bank's reference where there is one, otherwise by its
/// fingerprint and occurrence index; a reference reused with another date or amount is a conflict.
@Suite struct StatementDedupTests {
    static func statement(_ reference: String, lines: [MT940Statement.Line]) -> MT940Statement {
        var statement = MT940Statement()
        statement.reference = reference
        statement.lines = lines
        return statement
    }

    static func line(_ day: Int, _ amount: Int64, _ reference: String?, memo: String = "CHUYEN TIEN") -> MT940Statement.Line {
        .init(date: MT940Statement.day(day), amount: amount, memo: memo, reference: reference)
    }

    @Test func overlappingFilesImportEachLineOnce() throws {
        let fixture = try StatementFixture()
        let a = Self.statement("A", lines: [Self.line(1, 100_000, "R1"), Self.line(2, 200_000, "R2"), Self.line(3, 300_000, "R3")])
        let b = Self.statement("B", lines: [Self.line(2, 200_000, "R2"), Self.line(3, 300_000, "R3"), Self.line(4, 400_000, "R4"),
                                            Self.line(5, -50_000, "R5")])
        #expect(try fixture.run(a.text).counts.linesNew == 3)
        let second = try fixture.run(b.text).counts
        #expect(second.linesNew == 2 && second.linesKnown == 2 && second.linesTotal == 4)
        let again = try fixture.run(a.text + b.text.replacingOccurrences(of: ":20:B", with: ":20:B2")).counts
        #expect(again.linesNew == 0 && again.linesKnown == 7)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 5)
        #expect(try fixture.bankBalance() == Money(dong: 100_000 + 200_000 + 300_000 + 400_000 - 50_000))
        #expect(try fixture.verify().isEmpty)
    }

    /// Without references, two identical payments on one day are two payments: both kept, and kept once.
    @Test func identicalPaymentsOnOneDayAreBothKept() throws {
        let fixture = try StatementFixture()
        let twice = Self.statement("T", lines: [Self.line(9, 500_000, nil, memo: "HOC PHI"), Self.line(9, 500_000, nil, memo: "hoc-phi"),
                                                Self.line(10, 500_000, nil, memo: "HOC PHI")])
        let first = try fixture.run(twice.text).counts
        #expect(first.linesNew == 3)
        #expect(try fixture.run(twice.text).counts.linesKnown == 3)
        // A later export of the same days holds a third identical payment of the 9th: only it is new.
        let thrice = Self.statement("T2", lines: twice.lines + [Self.line(9, 500_000, nil, memo: "Hoc Phi")])
        let third = try fixture.run(thrice.text).counts
        #expect(third.linesNew == 1 && third.linesKnown == 3)
        let keys = try fixture.pool.withConnection {
            try $0.query("SELECT dedup_key FROM statement_lines WHERE booked_on = '2026-09-09' ORDER BY dedup_key")
                .map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(keys.count == 3 && Set(keys.map { $0.split(separator: "#")[0] }).count == 1)
        #expect(keys.map { $0.split(separator: "#")[1] } == ["1", "2", "3"])
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aReferenceWithAnotherAmountIsAConflictNotAnImport() throws {
        let fixture = try StatementFixture()
        try fixture.run(Self.statement("A", lines: [Self.line(1, 100_000, "R1"), Self.line(2, 200_000, "R2")]).text)
        let changed = Self.statement("B", lines: [Self.line(2, 250_000, "R2"), Self.line(3, 300_000, "R3"), Self.line(4, 300_000, "R2")])
        let result = try fixture.run(changed.text)
        #expect(result.counts.linesConflicting == 2 && result.counts.linesNew == 1 && result.counts.linesKnown == 0)
        #expect(result.conflicts.map(\.line) == [5, 9])
        #expect(result.conflicts[0].amount == 250_000 && result.conflicts[0].existingAmount == 200_000 && result.conflicts[0].existingLineID != nil)
        #expect(result.conflicts[1].existingBookedOn == (try CalendarDate(iso: "2026-09-02")))
        #expect(result.summary.contains("conflicting: line 5"))
        #expect(try fixture.count("SELECT count(*) FROM statement_lines") == 3)
        #expect(try fixture.count("SELECT lines_conflicting FROM statement_imports ORDER BY import_id DESC LIMIT 1") == 2)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aReferenceRepeatedInOneFile() throws {
        let fixture = try StatementFixture()
        let file = Self.statement("A", lines: [Self.line(1, 100_000, "R1"), Self.line(1, 100_000, "R1"), Self.line(2, 200_000, "R1")])
        let result = try fixture.run(file.text)
        #expect(result.counts.linesNew == 1 && result.counts.linesKnown == 1 && result.counts.linesRepeatedInFile == 1)
        #expect(result.counts.linesConflicting == 1 && result.conflicts.first?.existingLineID == nil)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aDryRunReportsAndKeepsNothing() throws {
        let fixture = try StatementFixture()
        let file = Self.statement("A", lines: [Self.line(1, 500_000, "R1", memo: fixture.code(fixture.an)), Self.line(2, 200_000, "R2")])
        let before = try fixture.tableCounts()
        let dry = try fixture.run(file.text, dryRun: true)
        #expect(dry.dryRun && dry.importID == nil && dry.counts.linesNew == 2 && dry.counts.appliedAutomatically == 1)
        #expect(dry.summary.hasSuffix("dry run: nothing was imported"))
        #expect(try fixture.tableCounts() == before)
        let real = try fixture.run(file.text)
        #expect(real.counts == dry.counts && real.importID != nil)
        #expect(try fixture.verify().isEmpty)
    }

    /// Two imports of one file at once: the bank account's lock makes the second see the first's lines.
    @Test func aFileImportedTwiceAtOnceIsImportedOnce() throws {
        let fixture = try StatementFixture(poolSize: 4)
        let lines = (1...300).map { Self.line(1 + $0 % 28, Int64(10_000 + $0), "C-\($0)") }
        let text = Self.statement("CONC", lines: lines).text
        let results = Mutex<[StatementImportCounts]>([])
        BlockingThreads.run(count: 2) { _ in
            if let result = try? fixture.run(text) { results.withLock { $0.append(result.counts) } }
        }
        let counts = results.withLock { $0 }
        #expect(counts.count == 2)
        #expect(counts.map(\.linesNew).sorted() == [0, 300] && counts.map(\.linesKnown).sorted() == [0, 300])
        #expect(try fixture.count("SELECT count(*) FROM statement_lines") == 300)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 300)
        #expect(try fixture.verify().isEmpty)
    }
}
