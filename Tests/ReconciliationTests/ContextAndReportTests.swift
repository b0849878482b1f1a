import Core
import Reconciliation
import Testing

@Suite struct ContextAndReportTests {
    @Test func rosterErrorsNameTheRecord() throws {
        let an = Fixture.an
        var twin = Fixture.binh
        twin.id = an.id
        #expect(throws: MatchInputError.duplicateStudentId(1)) {
            try MatchContext(prefix: "HP", students: [an, twin], invoices: [])
        }
        #expect(throws: MatchInputError.invalidPrefix("IO")) { try MatchContext(prefix: "IO", students: [], invoices: []) }
        var swapped = Fixture.anOctober
        swapped.paymentCode = an.paymentCode
        #expect(throws: MatchInputError.invalidInvoiceCode(invoiceId: 102, code: an.paymentCode)) {
            try MatchContext(prefix: "HP", students: [an], invoices: [swapped])
        }
        #expect(throws: MatchInputError.invoiceOfUnknownStudent(invoiceId: 201, studentId: 2)) {
            try MatchContext(prefix: "HP", students: [an], invoices: [Fixture.binhOctober])
        }
        var overdrawn = Fixture.anOctober
        overdrawn.outstanding = Money(dong: 700_000)
        #expect(throws: MatchInputError.invalidInvoiceAmounts(invoiceId: 102)) {
            try MatchContext(prefix: "HP", students: [an], invoices: [overdrawn])
        }
        var sameAccount = Fixture.giang
        sameAccount.virtualAccount = "963-0001-000004"
        #expect(throws: MatchInputError.duplicateVirtualAccount("9630001000004")) {
            try MatchContext(prefix: "HP", students: [Fixture.dung, sameAccount], invoices: [])
        }
        #expect(MatchInputError.duplicateStudentId(1).description.contains("student 1"))
    }

    @Test func duplicatesAreFoundDespiteDifferentBankReferences() throws {
        let code = Fixture.invoiceCode(301)
        let day = Fixture.bookingDate
        let transfers = [
            Fixture.transaction(1, dong: 650_000, memo: "MBVCB.3278907687.123456.\(code) LE THI CHI", payer: "LE VAN TAM", date: day),
            Fixture.transaction(2, dong: 650_000, memo: "MBVCB.9911223344.654321.\(code) LE THI CHI", payer: "Lê Văn Tâm",
                                date: day.adding(days: 2)),
            Fixture.transaction(3, dong: 650_000, memo: "MBVCB.1111111111.222222.\(code) LE THI CHI", payer: "LE VAN TAM",
                                date: day.adding(days: 12)),
            Fixture.transaction(4, dong: 600_000, memo: "MBVCB.3278907687.123456.\(code) LE THI CHI", payer: "LE VAN TAM", date: day),
            Fixture.transaction(5, dong: 650_000, memo: "MBVCB.3278907687.123456.\(code) LE THI CHI", payer: "LE VAN TAM", date: day),
        ]
        let groups = ReconciliationExceptions.likelyDuplicates(transfers.reversed())
        #expect(groups.count == 1)
        #expect(groups.first?.transactionIds == [1, 5, 2])
        #expect(groups.first?.lastBookingDate == day.adding(days: 2))
        #expect(ReconciliationExceptions.likelyDuplicates(transfers, windowDays: 20).first?.transactionIds == [1, 5, 2, 3])
    }

    @Test func amountsFarFromEveryInvoiceAreListed() throws {
        let context = try Fixture.context()
        let transfers = [
            Fixture.transaction(1, dong: 50_000_000, memo: "NOP TIEN MAT"),
            Fixture.transaction(2, dong: 640_000, memo: "HOC PHI"),
            Fixture.transaction(3, dong: 1_850_000, memo: "HOC PHI 2 CHAU"),
            Fixture.transaction(4, dong: 12_345, memo: "LAI"),
        ]
        let far = ReconciliationExceptions.amountsFarFromInvoices(transfers, in: context)
        #expect(far.map(\.transactionId) == [1, 4])
        #expect(far.first?.nearestBilledAmount == Money(dong: 1_850_000))
    }

    @Test func suspenseQueueRanksPendingDecisionsByTopScore() throws {
        let context = try Fixture.context()
        let transfers = [
            Fixture.transaction(1, dong: 650_000, memo: "CHUYEN KHOAN"),
            Fixture.transaction(2, dong: 650_000, memo: "HP \(Fixture.invoiceCode(301))"),
            Fixture.transaction(3, dong: 650_000, memo: "HOC PHI \(Fixture.substituted(Fixture.invoiceCode(501), at: 5))"),
            Fixture.transaction(4, dong: 12_345, memo: "LAI TIEN GUI"),
            Fixture.transaction(5, dong: 1_850_000, memo: "HOC PHI 2 CHAU", payer: "NGUYEN VAN HUNG"),
        ]
        let decisions = transfers.map(context.match)
        let queue = SuspenseQueue.ranked(decisions)
        #expect(queue.map(\.transactionId) == [3, 5, 1, 4])
        #expect(SuspenseQueue.ranked(decisions.reversed()) == queue)
    }
}
