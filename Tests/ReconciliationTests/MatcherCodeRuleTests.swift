import Foundation
import Core
import Reconciliation
import Testing

/// Rules 1 and 2: what is applied without a person.
@Suite struct MatcherCodeRuleTests {
    @Test func virtualAccountPaysTheStudentAndCreditsTheFamily() throws {
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 900_000, memo: "CHUYEN TIEN", virtualAccount: "963 0001 000004"))
        #expect(decision.rule == .virtualAccount)
        #expect(decision.isAutomatic)
        #expect(decision.allocations == [Fixture.allocation(401, 800_000)])
        #expect(decision.remainder == Money(dong: 100_000))
        #expect(decision.remainderDisposition == .credit(.family("F2")))
        #expect(decision.signals.virtualAccountStudentId == 4)
        #expect(decision.signals.amountFit == .over)
        #expect(decision.explanation.contains("Trần Đức Dũng"))
    }

    @Test func unknownVirtualAccountFallsThroughToTheCode() throws {
        let code = Fixture.invoiceCode(301)
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 650_000, memo: "HOC PHI \(code)", virtualAccount: "9999"))
        #expect(decision.rule == .paymentCode)
        #expect(decision.signals.virtualAccount == "9999")
        #expect(decision.signals.virtualAccountStudentId == nil)
        #expect(decision.allocations == [Fixture.allocation(301, 650_000)])
    }

    @Test func invoiceCodeInABankWrappedMemoIsApplied() throws {
        let code = Fixture.invoiceCode(102)
        let memo = "MBVCB.3278907687.123456.\(code) NGUYEN VAN AN.CT tu 0011001234567 NGUYEN VAN HUNG toi 0071000999999"
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: memo))
        #expect(decision.rule == .paymentCode)
        #expect(decision.isAutomatic)
        #expect(decision.allocations == [Fixture.allocation(102, 650_000)])
        #expect(decision.remainder == .zero)
        #expect(decision.remainderDisposition == RemainderDisposition.none)
        let used = decision.signals.codes.filter(\.isUsed)
        #expect(used.count == 1)
        #expect(used.first?.text == code && used.first?.invoiceId == 102 && used.first?.studentId == 1)
        #expect(used.first?.checkValid == true && used.first?.isWordAligned == true && used.first?.source == .memo)
        #expect(decision.signals.amountFit == .exact)
        #expect(decision.signals.dateGapDays == -3)
    }

    @Test func studentCodePaysTheOldestDueInvoiceFirst() throws {
        let memo = "TKThe :0123, tai VCB. \(Fixture.studentCode(1)) hoc phi -CTLNHIDI000008334155500-11-CRE-002"
        let decision = try Fixture.context().match(Fixture.transaction(dong: 800_000, memo: memo))
        #expect(decision.rule == .paymentCode)
        #expect(decision.allocations == [Fixture.allocation(101, 500_000), Fixture.allocation(102, 300_000)])
        #expect(decision.remainder == .zero)
        #expect(decision.signals.amountFit == .partial)
    }

    @Test func twoSiblingsCodesInOneMemoShareOneTransfer() throws {
        let memo = "HOC PHI \(Fixture.studentCode(2)) VA \(Fixture.studentCode(1))"
        let decision = try Fixture.context().match(Fixture.transaction(dong: 1_900_000, memo: memo))
        #expect(decision.rule == .paymentCode)
        #expect(decision.isAutomatic)
        // Oldest due first across both: September, then October by invoice id.
        #expect(decision.allocations == [Fixture.allocation(101, 500_000), Fixture.allocation(102, 650_000),
                                         Fixture.allocation(201, 700_000)])
        #expect(decision.remainder == Money(dong: 50_000))
        #expect(decision.remainderDisposition == .credit(.family("F1")))
    }

    @Test func siblingsInvoiceCodesPayOnlyTheNamedInvoices() throws {
        let memo = "\(Fixture.invoiceCode(201).lowercased()) \(Fixture.invoiceCode(102).lowercased()) nộp học phí 2 cháu"
        let decision = try Fixture.context().match(Fixture.transaction(dong: 1_350_000, memo: memo))
        #expect(decision.isAutomatic)
        #expect(decision.allocations == [Fixture.allocation(102, 650_000), Fixture.allocation(201, 700_000)])
    }

    @Test(arguments: [
        "HOC PHI {A}.{B} NGUYEN VAN AN",
        "{A} {B} hoc phi T10",
        "nộp học phí tháng 10 cho con lê thị chi lớp 3a mã {code}",
        "MBVCB.3278907687.123456.{CODE}",
        "TKThe :0123, tai VCB. {CODE}",
        "{CODE}",
    ])
    func codeIsFoundHoweverItIsWritten(template: String) throws {
        let code = Fixture.invoiceCode(301)
        let memo = template
            .replacingOccurrences(of: "{A}", with: String(code.prefix(4)))
            .replacingOccurrences(of: "{B}", with: String(code.dropFirst(4)))
            .replacingOccurrences(of: "{code}", with: code.lowercased())
            .replacingOccurrences(of: "{CODE}", with: code)
        let decision = try Fixture.context().match(Fixture.transaction(dong: 650_000, memo: memo))
        #expect(decision.rule == .paymentCode, "\(memo)")
        #expect(decision.isAutomatic)
        #expect(decision.allocations == [Fixture.allocation(301, 650_000)])
    }

    @Test func codeInThePayerNameCounts() throws {
        let decision = try Fixture.context().match(
            Fixture.transaction(dong: 650_000, memo: "CHUYEN TIEN", payer: "LE VAN TAM \(Fixture.invoiceCode(301))"))
        #expect(decision.rule == .paymentCode)
        #expect(decision.signals.codes.first { $0.isUsed }?.source == .payerName)
    }

    @Test func partialPaymentsAddUpInARun() throws {
        var run = MatchRun(context: try Fixture.context())
        let code = Fixture.invoiceCode(301)
        let first = run.match(Fixture.transaction(1, dong: 300_000, memo: "HP \(code)"))
        #expect(first.isAutomatic && first.signals.amountFit == .partial)
        #expect(first.allocations == [Fixture.allocation(301, 300_000)])
        #expect(run.outstanding(ofInvoice: 301) == Money(dong: 350_000))
        let second = run.match(Fixture.transaction(2, dong: 350_000, memo: "HP \(code)"))
        #expect(second.allocations == [Fixture.allocation(301, 350_000)])
        #expect(second.signals.amountFit == .exact)
        #expect(run.outstanding(ofInvoice: 301) == .zero)
    }

    @Test func overpaymentOfAnInvoiceCodeBecomesCreditNotArrears() throws {
        let context = try Fixture.context()
        let alone = context.match(Fixture.transaction(dong: 700_000, memo: "HP \(Fixture.invoiceCode(301))"))
        #expect(alone.allocations == [Fixture.allocation(301, 650_000)])
        #expect(alone.remainder == Money(dong: 50_000))
        #expect(alone.remainderDisposition == .credit(.student(3)))
        #expect(alone.signals.amountFit == .over)
        // The stated policy: an invoice code pays that invoice; September's open invoice is not touched.
        let sibling = context.match(Fixture.transaction(dong: 1_000_000, memo: "HP \(Fixture.invoiceCode(102))"))
        #expect(sibling.allocations == [Fixture.allocation(102, 650_000)])
        #expect(sibling.remainderDisposition == .credit(.family("F1")))
    }

    @Test func duplicateTransferFindsItsInvoiceSettledAndBecomesCredit() throws {
        let transfer = Fixture.transaction(1, dong: 650_000, memo: "IBFT \(Fixture.invoiceCode(301))")
        var again = transfer
        again.id = 2
        let decisions = MatchRun.reconcile([again, transfer], in: try Fixture.context())
        #expect(decisions.map(\.transactionId) == [1, 2])
        #expect(decisions[0].allocations == [Fixture.allocation(301, 650_000)])
        #expect(decisions[1].isAutomatic)
        #expect(decisions[1].allocations.isEmpty)
        #expect(decisions[1].remainderDisposition == .credit(.student(3)))
    }

    @Test func codesOfUnrelatedStudentsAbstain() throws {
        let memo = "HOC PHI \(Fixture.invoiceCode(301)) \(Fixture.invoiceCode(501))"
        let decision = try Fixture.context().match(Fixture.transaction(dong: 1_300_000, memo: memo))
        #expect(decision.rule == .unrelatedCodes)
        #expect(!decision.isAutomatic)
        #expect(decision.allocations.isEmpty)
        #expect(decision.remainderDisposition == .unapplied)
        let proposed = Set(decision.proposals.map(\.allocations))
        #expect(proposed.contains([Fixture.allocation(301, 650_000)]))
        #expect(proposed.contains([Fixture.allocation(501, 650_000)]))
        #expect(proposed.contains([Fixture.allocation(301, 650_000), Fixture.allocation(501, 650_000)]))
    }

    @Test func validCodeOfAnotherSchoolIsIgnored() throws {
        let foreign = Fixture.invoiceCode(999_999)
        let decision = try Fixture.context().match(Fixture.transaction(dong: 123_000, memo: "HP \(foreign)"))
        #expect(!decision.isAutomatic)
        #expect(decision.rule == .suspense)
        #expect(decision.signals.codes.contains { $0.text == foreign && $0.checkValid && $0.studentId == nil && !$0.isUsed })
    }

    /// One time in 32 the first characters of an invoice code pass the check as a student code; the whole
    /// word-aligned invoice code wins, even when that student code exists.
    @Test func longerWordAlignedCodeWinsOverAnOverlappingReading() throws {
        var found: (invoice: String, student: String)?
        for serial in UInt64(1)..<100_000 {
            let invoice = try PaymentCode(prefix: Fixture.prefix, kind: .invoice, serial: serial).text
            let head = String(invoice.prefix(PaymentCodeKind.student.codeLength(prefixLength: 2)))
            if PaymentCode.isValid(head, prefix: Fixture.prefix) == .student {
                found = (invoice, head)
                break
            }
        }
        let (invoiceCode, studentCode) = try #require(found)
        let owner = MatchStudent(id: 10, paymentCode: Fixture.studentCode(10), fullName: "Đỗ Minh Khoa", className: "1A")
        let other = MatchStudent(id: 11, paymentCode: studentCode, fullName: "Hồ Ngọc Mai", className: "1B")
        let invoice = MatchInvoice(id: 7, studentId: 10, paymentCode: invoiceCode, period: Fixture.october,
                                   dueDate: try CalendarDate(iso: "2026-10-15"), total: Money(dong: 180_000),
                                   outstanding: Money(dong: 180_000))
        let context = try MatchContext(prefix: Fixture.prefix, students: [owner, other], invoices: [invoice])
        let decision = context.match(Fixture.transaction(dong: 180_000, memo: "HOC PHI \(invoiceCode) DO MINH KHOA"))
        #expect(decision.rule == .paymentCode)
        #expect(decision.allocations == [Fixture.allocation(7, 180_000)])
        #expect(decision.signals.codes.contains { $0.text == studentCode && !$0.isUsed })
    }

    @Test func outgoingMoneyIsNotMatched() throws {
        let context = try Fixture.context()
        for dong: Int64 in [-650_000, 0] {
            let decision = context.match(Fixture.transaction(dong: dong, memo: "HP \(Fixture.invoiceCode(301))"))
            #expect(decision.rule == .notIncoming)
            #expect(!decision.isAutomatic && decision.allocations.isEmpty && decision.proposals.isEmpty)
            #expect(decision.remainder == Money(dong: dong))
        }
    }
}
