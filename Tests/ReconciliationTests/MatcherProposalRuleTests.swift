import Core
import Reconciliation
import Testing

/// Rules 3 to 6: what is proposed to a person and never applied automatically.
@Suite struct MatcherProposalRuleTests {
    @Test func wrongCheckCharacterIsRepairedAsAProposalOnly() throws {
        let damaged = Fixture.substituted(Fixture.invoiceCode(301), at: 4)
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 650_000, memo: "MBVCB.3278907687.123456.\(damaged) LE THI CHI.CT tu 0011001234567"))
        #expect(decision.rule == .repairedCode)
        #expect(!decision.isAutomatic)
        #expect(decision.allocations.isEmpty)
        #expect(decision.remainder == Money(dong: 650_000))
        #expect(decision.remainderDisposition == .unapplied)
        let repair = try #require(decision.signals.repairs.first)
        #expect(decision.signals.repairs.count == 1)
        #expect(repair.damagedText == damaged && repair.repairedCode == Fixture.invoiceCode(301))
        #expect(repair.position == 4 && repair.edit == .substitution && repair.invoiceId == 301)
        let top = try #require(decision.topProposal)
        #expect(top.rule == .repairedCode)
        #expect(top.allocations == [Fixture.allocation(301, 650_000)])
        #expect(top.score >= MatchScoring.repairedCodeBase)
        #expect(decision.signals.codes.allSatisfy { !$0.isUsed })
    }

    @Test func swappedCharactersAreRepairedAsAProposalOnly() throws {
        var bytes = Array(Fixture.studentCode(3).utf8)
        let position = try #require((2..<(bytes.count - 1)).first { bytes[$0] != bytes[$0 + 1] })
        bytes.swapAt(position, position + 1)
        let swapped = String(decoding: bytes, as: UTF8.self)
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: "IBFT \(swapped) HOC PHI"))
        #expect(decision.rule == .repairedCode && !decision.isAutomatic)
        #expect(decision.signals.repairs.first?.edit == .adjacentTransposition)
        #expect(decision.signals.repairs.first?.position == position)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(301, 650_000)])
    }

    @Test func repairTieAbstainsAndListsTheCandidates() throws {
        let (damaged, first, second) = try Self.damagedCodeWithTwoNeighbours()
        let students = [
            MatchStudent(id: 20, paymentCode: first, fullName: "Vũ Quốc Huy", className: "6A1"),
            MatchStudent(id: 21, paymentCode: second, fullName: "Bùi Thị Hà", className: "7A2"),
        ]
        let invoices = [
            MatchInvoice(id: 1, studentId: 20, paymentCode: Fixture.invoiceCode(1), period: Fixture.october,
                         dueDate: try CalendarDate(iso: "2026-10-15"), total: Money(dong: 250_000), outstanding: Money(dong: 250_000)),
            MatchInvoice(id: 2, studentId: 21, paymentCode: Fixture.invoiceCode(2), period: Fixture.october,
                         dueDate: try CalendarDate(iso: "2026-10-15"), total: Money(dong: 250_000), outstanding: Money(dong: 250_000)),
        ]
        let context = try MatchContext(prefix: Fixture.prefix, students: students, invoices: invoices)
        let decision = context.match(Fixture.transaction(dong: 250_000, memo: "HOC PHI \(damaged)"))
        #expect(decision.rule == .repairTie)
        #expect(!decision.isAutomatic && decision.allocations.isEmpty)
        #expect(Set(decision.signals.repairs.map(\.repairedCode)) == [first, second])
        let proposedStudents = Set(decision.proposals.filter { $0.rule == .repairTie }.flatMap(\.studentIds))
        #expect(proposedStudents == [20, 21])
        #expect(decision.proposals.allSatisfy { $0.score < MatchScoring.repairedCodeBase })
    }

    /// A damaged student code that two valid student codes are one substitution away from.
    static func damagedCodeWithTwoNeighbours() throws -> (String, String, String) {
        for serial in UInt64(100)..<2_000 {
            let first = Array(try PaymentCode(prefix: Fixture.prefix, kind: .student, serial: serial).text.utf8)
            var damaged = first
            damaged[3] = damaged[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            for position in 4..<damaged.count {
                for symbol in PaymentCode.alphabet where symbol != damaged[position] {
                    var neighbour = damaged
                    neighbour[position] = symbol
                    let text = String(decoding: neighbour, as: UTF8.self)
                    if PaymentCode.isValid(text, prefix: Fixture.prefix) == .student {
                        return (String(decoding: damaged, as: UTF8.self), String(decoding: first, as: UTF8.self), text)
                    }
                }
            }
        }
        throw FixtureError.notFound
    }

    enum FixtureError: Error { case notFound }

    @Test func studentNameAndAmountAreOnlyProposed() throws {
        // An (102) and Giang (501) owe 650.000 đ too; the name decides.
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: "HOC PHI THANG 10 LE THI CHI"))
        #expect(decision.rule == .nameAndAmount)
        #expect(!decision.isAutomatic && decision.allocations.isEmpty)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(301, 650_000)])
        #expect(decision.topProposal?.amountFit == .exact)
        #expect(decision.signals.names.contains { $0.studentId == 3 && $0.role == .student && $0.quality == .fullName })
        let amountOnly = decision.proposals.dropFirst()
        #expect(amountOnly.allSatisfy { $0.score <= MatchScoring.amountOnlyBase })
    }

    @Test func guardianAsPayerIsOnlyProposed() throws {
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 650_000, memo: "CHUYEN TIEN HOC PHI", payer: "LE VAN TAM"))
        #expect(decision.rule == .nameAndAmount && !decision.isAutomatic)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(301, 650_000)])
        #expect(decision.signals.names.contains { $0.studentId == 3 && $0.role == .guardian && $0.source == .payerName })
    }

    @Test func givenNameAndClassPointToTheStudent() throws {
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 650_000, memo: "HOC PHI CON CHI LOP 3A", payer: "TRAN VAN BAO"))
        #expect(decision.rule == .nameAndAmount && !decision.isAutomatic)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(301, 650_000)])
        #expect(decision.signals.names.contains { $0.studentId == 3 && $0.quality == .givenNameAndClass })
    }

    @Test func nameWithThePartOfSeveralOldestInvoicesProposesThem() throws {
        let decision = try Fixture.context().match(Fixture.transaction(dong: 1_150_000, memo: "NGUYEN VAN AN NOP TIEN HOC"))
        #expect(decision.rule == .nameAndAmount)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(101, 500_000), Fixture.allocation(102, 650_000)])
    }

    @Test func nameWithoutFittingAmountIsAWeakProposal() throws {
        let decision = try Fixture.context().match(Fixture.transaction(dong: 200_000, memo: "HOC PHI LE THI CHI"))
        #expect(decision.rule == .suspense && !decision.isAutomatic)
        #expect(decision.topProposal?.allocations == [Fixture.allocation(301, 200_000)])
        #expect(decision.topProposal?.amountFit == .partial)
        #expect((decision.topProposal?.score ?? 1000) < MatchScoring.nameToleranceAmountBase)
    }

    @Test func familyTotalByGuardianIsProposedAcrossSiblings() throws {
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 1_850_000, memo: "HOC PHI 2 CHAU", payer: "NGUYEN VAN HUNG"))
        #expect(decision.rule == .siblingsByFamily)
        #expect(!decision.isAutomatic && decision.allocations.isEmpty)
        let top = try #require(decision.topProposal)
        #expect(top.rule == .siblingsByFamily)
        #expect(top.studentIds == [1, 2])
        #expect(top.allocations == [Fixture.allocation(101, 500_000), Fixture.allocation(102, 650_000),
                                    Fixture.allocation(201, 700_000)])
        #expect(top.remainder == .zero)
    }

    @Test func amountAloneIsALowProposalNeverApplied() throws {
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: "CHUYEN KHOAN"))
        #expect(decision.rule == .suspense)
        #expect(!decision.isAutomatic && decision.allocations.isEmpty)
        #expect(decision.proposals.count == 3)
        #expect(decision.proposals.allSatisfy { $0.score <= MatchScoring.amountOnlyBase && $0.allocations.count == 1 })
        // Three invoices owe 650.000 đ, all due 15/10: by id.
        #expect(decision.proposals.map { $0.allocations[0].invoiceId } == [102, 301, 501])
        #expect(decision.signals.amountFit == .exact)
    }

    @Test func nothingToGoOnIsBareSuspense() throws {
        let decision = try Fixture.context().match(Fixture.transaction(dong: 12_345, memo: "LAI TIEN GUI KY 10/2026"))
        #expect(decision.rule == .suspense && decision.proposals.isEmpty && !decision.isAutomatic)
        #expect(decision.remainderDisposition == .unapplied)
    }

    @Test func proposalsAreRankedByScoreAndStable() throws {
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: "HOC PHI THANG 10 LE THI CHI"))
        let scores = decision.proposals.map(\.score)
        #expect(scores == scores.sorted(by: >))
        #expect(MatchProposal.ranked(decision.proposals.reversed()).map(\.score) == scores)
    }
}
