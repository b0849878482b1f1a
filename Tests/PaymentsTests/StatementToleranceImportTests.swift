import BankFormats
import Core
import Foundation
import Payments
import Testing
import TestSupport

/// What the MT940 reader tolerates reaches the import result and its summary; `--strict` refuses the
/// same file and imports nothing.
@Suite struct StatementToleranceImportTests {
    static func file(_ fixture: StatementFixture) -> String {
        var statement = MT940Statement()
        statement.lines = [
            .init(date: MT940Statement.day(5), amount: 500_000, memo: "\(fixture.code(fixture.an)) NGUYEN VAN AN", reference: "FT24090500000012345"),
            .init(date: MT940Statement.day(6), amount: 250_000, memo: "CHUYEN TIEN HOC", reference: nil),
        ]
        // A bank header before :20:, a :61: without customer reference, a non-SWIFT field.
        return "ABNANL2A\n940\nABNANL2A\n" + statement.text.replacingOccurrences(of: "NTRFNONREF\n", with: "NTRF\n")
            .replacingOccurrences(of: ":62F:", with: ":NS:22BANK OWN FIELD\n:62F:")
    }

    @Test func tolerancesAreImportedWithWarningsAndRefusedWhenStrict() throws {
        let fixture = try StatementFixture()
        let text = Self.file(fixture)
        let before = try fixture.tableCounts()
        let refusal = try #require(fixture.refusal(text, strict: true))
        #expect(refusal.line == 1 && refusal.message.contains("strict"), "\(refusal)")
        #expect(try fixture.tableCounts() == before)

        let result = try fixture.run(text)
        #expect(result.counts.linesNew == 2 && result.counts.appliedAutomatically == 1)
        let tolerances = result.warnings.map(\.tolerance)
        #expect(tolerances == [.headerLine, .headerLine, .headerLine, .longReference, .missingReference, .nonStandardField])
        #expect(result.counts.warnings == 6)
        #expect(result.warnings.map(\.line) == [1, 2, 3, 8, 10, 12])
        #expect(result.summary.contains("6 warning(s)") && result.summary.contains("warning: line 10: field :61: has no customer reference"))
        #expect(try fixture.invoice(fixture.an).status == .paid)
        #expect(try fixture.verify().isEmpty)
    }
}

/// A statement line whose narrative carries a pupil's virtual account is applied like a callback
/// naming that virtual account.
@Suite struct StatementVirtualAccountTests {
    @Test func aVirtualAccountInTheNarrativePaysThatPupil() throws {
        let fixture = try StatementFixture()
        let pupil = try fixture.billing.addStudent("HS009", name: "Trần Minh Châu", family: "TRAN-9", virtualAccount: "9704001234567")
        _ = try fixture.billing.issue()
        let other = try fixture.billing.addStudent("HS010", name: "Trần Minh Đức", family: "TRAN-10", virtualAccount: "9704007654321")
        var statement = MT940Statement()
        statement.lines = [
            .init(date: MT940Statement.day(5), amount: 500_000, memo: "TKDD 9704001234567 NOP TIEN HOC", reference: "FT101"),
            // Two pupils' virtual accounts: neither is chosen, the money waits in suspense.
            .init(date: MT940Statement.day(6), amount: 500_000, memo: "9704001234567 HOAC 9704007654321", reference: "FT102"),
            // A number that is nobody's virtual account.
            .init(date: MT940Statement.day(7), amount: 500_000, memo: "TK 9704009999999", reference: "FT103"),
        ]
        let result = try fixture.run(statement.text)
        #expect(result.counts.linesNew == 3 && result.counts.appliedAutomatically == 1 && result.counts.leftInSuspense == 2)
        let invoices = try fixture.billing.invoices().filter { $0.studentID == pupil.id }
        #expect(invoices.count == 1)
        #expect(try fixture.billing.invoice(invoices[0].id).status == .paid)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE virtual_account = '9704001234567'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE virtual_account IS NULL AND origin = 'statement'") == 2)
        #expect(other.id != pupil.id)
        #expect(try fixture.verify().isEmpty)
    }
}
