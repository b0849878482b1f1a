import SchoolFixtures
import Billing
import Core
import Dispatch
import Ledger
import Postgres
import Synchronization
import Testing
import VietQR

struct Rollback: Error, Equatable {}

@Suite struct InvoiceIssuingTests {
    /// A school with tuition, meals for one class and a 50 % discount for one student.
    func school(students count: Int) throws -> (BillingFixture, [Student]) {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 250_001, dueDay: 15)
        try fixture.addFee("BANTRU", kind: .agreedCollection, amount: 600_000, scope: .classroom("6A1"), dueDay: 5)
        var students: [Student] = []
        for index in 0..<count {
            students.append(try fixture.addStudent(String(format: "HS%03d", index), className: index % 2 == 0 ? "6A1" : "6A2"))
        }
        return (fixture, students)
    }

    @Test func issuesOneBalancedInvoicePerStudentWithLinesDiscountsAndLedgerEntry() throws {
        let (fixture, students) = try school(students: 2)
        let hp = try fixture.pool.withConnection { try FeeTypes.find(schoolID: fixture.school.id, code: "HP", on: $0)! }
        try fixture.transaction { connection in
            _ = try Discounts.add(schoolID: fixture.school.id, DiscountInput(studentID: students[0].id, feeTypeID: hp.id,
                                                                               value: .percentage(basisPoints: 5_000), reason: "Giảm 50% học phí: cận nghèo",
                                                                               validFrom: BillingFixture.september, validThrough: BillingFixture.september), on: connection)
        }
        let progress = Mutex<[Int]>([])
        let summary = try InvoiceIssuer.issue(schoolID: fixture.school.id, period: BillingFixture.september, issuedBy: "test",
                                              progress: { step in progress.withLock { $0.append(step.written) } }, pool: fixture.pool)
        #expect(summary.issued == 2 && summary.alreadyIssued == 0)
        #expect(progress.withLock { $0 } == [2])
        let invoice = try fixture.invoice(try #require(try fixture.invoices(InvoiceFilter(studentID: students[0].id)).first).id)
        // 250,001 × 50 % = 125,000.5 → 125,001 off (half up); meals for class 6A1 undiscounted.
        #expect(invoice.lines.map(\.feeCode) == ["BANTRU", "HP"])
        #expect(invoice.lines.map(\.discount.dong) == [0, 125_001])
        #expect(invoice.gross == Money(dong: 850_001) && invoice.discount == Money(dong: 125_001) && invoice.total == Money(dong: 725_000))
        #expect(invoice.lines.reduce(0) { $0 + $1.net.dong } == invoice.total.dong)
        #expect(invoice.dueDate == (try CalendarDate(iso: "2026-09-05")))
        #expect(invoice.status == .open && invoice.outstanding == invoice.total)
        #expect(PaymentCode.isValid(invoice.paymentCode, prefix: "HP") == .invoice)
        #expect(invoice.lines[1].discountReason == "Giảm 50% học phí: cận nghèo")
        let receivable = try fixture.account(.receivable)
        let studentBalance = try fixture.pool.withConnection {
            try LedgerQueries.balance(schoolID: fixture.school.id, accountID: receivable, dimension: .student, id: students[0].id, on: $0)
        }
        #expect(studentBalance == Money(dong: 725_000))
        #expect(try fixture.pool.withConnection { try LedgerQueries.balance(schoolID: fixture.school.id, accountID: try fixture.account(.discounts), on: $0) } == Money(dong: 125_001))
        #expect(try fixture.verify().isClean)
    }

    @Test func rerunningAPeriodIssuesNothingNew() throws {
        let (fixture, _) = try school(students: 5)
        #expect(try fixture.issue().issued == 5)
        let again = try fixture.issue()
        #expect(again.issued == 0 && again.alreadyIssued == 5)
        #expect(again.summary == "issued 0, already issued 5")
        _ = try fixture.addStudent("LATE")
        let late = try fixture.issue()
        #expect(late.issued == 1 && late.alreadyIssued == 5)
        #expect(try fixture.invoices().map(\.number.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(try fixture.verify().isClean)
    }

    @Test func concurrentRunsIssueEachInvoiceOnceWithGaplessNumbers() throws {
        let (fixture, _) = try school(students: 40)
        let results = Mutex<[IssueSummary]>([])
        let failures = Mutex<[String]>([])
        BlockingThreads.run(count: 3) { _ in
            do {
                let summary = try fixture.issue()
                results.withLock { $0.append(summary) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let summaries = results.withLock { $0 }
        #expect(summaries.map(\.issued).sorted() == [0, 0, 40])
        #expect(summaries.map(\.alreadyIssued).sorted() == [0, 40, 40])
        let invoices = try fixture.invoices()
        #expect(invoices.count == 40)
        #expect(Set(invoices.map(\.studentID)).count == 40)
        #expect(invoices.map(\.number.sequence) == Array(1...40))
        #expect(try fixture.verify().isClean)
    }

    @Test func aRolledBackRunGivesItsNumbersBack() throws {
        let (fixture, _) = try school(students: 3)
        #expect(throws: Rollback()) {
            try fixture.transaction { connection in
                let summary = try InvoiceIssuer.issue(schoolID: fixture.school.id, period: BillingFixture.september, issuedBy: "t", on: connection)
                #expect(summary.issued == 3)
                throw Rollback()
            }
        }
        #expect(try fixture.invoices().isEmpty)
        #expect(try fixture.issue().issued == 3)
        #expect(try fixture.issue(BillingFixture.october).issued == 3)
        #expect(try fixture.invoices().map(\.number.text) == (1...6).map { String(format: "2026/%06d", $0) })
        #expect(try fixture.verify().isClean)
    }

    @Test func voidReversesAnOpenInvoiceKeepsItsNumberAndAllowsReissue() throws {
        let (fixture, students) = try school(students: 2)
        _ = try fixture.issue()
        let first = try #require(try fixture.invoices(InvoiceFilter(studentID: students[0].id)).first)
        let voided = try fixture.transaction { try InvoiceIssuer.void(schoolID: fixture.school.id, invoiceID: first.id, reason: "Sai lớp", on: $0) }
        #expect(voided.number == first.number)
        let after = try fixture.invoice(first.id)
        #expect(after.status == .void && after.outstanding == .zero && after.paid == .zero)
        #expect(throws: BillingError.invoiceNotVoidable("invoice \(first.number.text) is already void")) {
            try fixture.transaction { try InvoiceIssuer.void(schoolID: fixture.school.id, invoiceID: first.id, reason: "again", on: $0) }
        }
        // The student is invoiced again with the next number; the voided number stays used.
        let reissue = try fixture.issue()
        #expect(reissue.issued == 1 && reissue.alreadyIssued == 1)
        let numbers = try fixture.invoices().map(\.number.sequence)
        #expect(numbers == [1, 2, 3])
        #expect(try fixture.invoices(InvoiceFilter(status: .void)).map(\.id) == [first.id])
        #expect(try fixture.verify().isClean)
    }

    @Test func voidIsRefusedOncePaymentIsApplied() throws {
        let (fixture, students) = try school(students: 1)
        _ = try fixture.issue()
        let invoice = try #require(try fixture.invoices().first)
        let payment = try fixture.pay([students[0]], 100_000)
        do {
            _ = try fixture.transaction { try InvoiceIssuer.void(schoolID: fixture.school.id, invoiceID: invoice.id, reason: "x", on: $0) }
            Issue.record("a paid invoice was voided")
        } catch let error as BillingError {
            #expect(error.code == "invoice_not_voidable")
        }
        // After the payment is unapplied the invoice may be voided.
        _ = try fixture.transaction { try Applications.unapply(schoolID: fixture.school.id, applicationID: payment.applications[0].applicationID, reason: "nhầm", on: $0) }
        _ = try fixture.transaction { try InvoiceIssuer.void(schoolID: fixture.school.id, invoiceID: invoice.id, reason: "x", on: $0) }
        #expect(try fixture.invoice(invoice.id).status == .void)
        #expect(try fixture.verify().isClean)
    }

    @Test func statusComesFromTheLedgerThroughPartialPaidAndOverpaid() throws {
        let (fixture, students) = try school(students: 1)
        _ = try fixture.issue()
        let invoice = try #require(try fixture.invoices().first)
        #expect(invoice.status == .open && invoice.total == Money(dong: 850_001))
        _ = try fixture.pay(students, 300_000)
        #expect(try fixture.invoice(invoice.id).status == .partlyPaid)
        #expect(try fixture.invoice(invoice.id).outstanding == Money(dong: 550_001))
        #expect(try fixture.invoices(InvoiceFilter(status: .partlyPaid)).count == 1)
        _ = try fixture.pay(students, 550_001)
        #expect(try fixture.invoice(invoice.id).status == .paid)
        // An entry outside payment application (say, a correction) can take it past zero.
        let ledger = LedgerService(pool: fixture.pool)
        try ledger.post(JournalEntryRequest(schoolID: fixture.school.id, effectiveDate: try CalendarDate(iso: "2026-09-25"), kind: .adjustment,
                                            description: "correction", idempotencyKey: "adj-1",
                                            postings: [PostingRequest(accountID: try fixture.account(.cash), amount: Money(dong: 1_000)),
                                                       PostingRequest(accountID: invoice.receivableAccountID, amount: Money(dong: -1_000),
                                                                      dimensions: PostingDimensions(invoiceID: invoice.id))]))
        #expect(try fixture.invoice(invoice.id).status == .overpaid)
        #expect(try fixture.invoices(InvoiceFilter(status: .overpaid)).map(\.id) == [invoice.id])
        #expect(try fixture.invoices(InvoiceFilter(period: BillingFixture.september, className: "6A1")).count == 1)
        #expect(try fixture.invoices(InvoiceFilter(period: BillingFixture.october)).isEmpty)
        #expect(try fixture.verify().isClean)
    }

    @Test func voluntaryPrepaymentIssuesSeveralMonthsButNotBeyondNine() throws {
        let (fixture, students) = try school(students: 1)
        _ = try fixture.issue()
        let semester = (0..<5).map { BillingFixture.september.adding(months: $0) }
        let summary = try fixture.transaction {
            try InvoiceIssuer.prepay(schoolID: fixture.school.id, studentID: students[0].id, periods: semester, issuedBy: "t", on: $0)
        }
        #expect(summary.issued == 4 && summary.alreadyIssued == 1)
        // June is not billed; and the rest of the year cannot go past nine tuition months.
        let june = try CalendarMonth(iso: "2027-06")
        #expect(throws: BillingError.noFeeScheduled(student: students[0].code, period: june)) {
            try fixture.transaction { try InvoiceIssuer.prepay(schoolID: fixture.school.id, studentID: students[0].id, periods: [june], issuedBy: "t", on: $0) }
        }
        let rest = (5..<9).map { BillingFixture.september.adding(months: $0) }
        _ = try fixture.transaction { try InvoiceIssuer.prepay(schoolID: fixture.school.id, studentID: students[0].id, periods: rest, issuedBy: "t", on: $0) }
        #expect(try fixture.invoices().count == 9)
        #expect(try fixture.verify().isClean)
    }

    @Test func tuitionMonthsAreCappedWhenSchedulesChangeMidYear() throws {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 200_000, months: [9, 10, 11, 12, 1, 2, 3, 4, 5])
        try fixture.addFee("HP", amount: 150_000, scope: .category("boarding"), months: [6, 7, 8, 9, 10, 11, 12, 1, 2])
        let student = try fixture.addStudent("HS1")
        for offset in 0..<9 { _ = try fixture.issue(BillingFixture.september.adding(months: offset)) }
        var details = student.details
        details.category = "boarding"
        try fixture.transaction { try Students.update(schoolID: fixture.school.id, studentID: student.id, details, changedBy: "t", on: $0) }
        // June 2027 would be a tenth tuition month in school year 2026.
        let june = try fixture.issue(try CalendarMonth(iso: "2027-06"))
        #expect(june.issued == 0 && june.cappedCount == 1 && june.cappedStudentCodes == ["HS1"])
    }

    @Test func vietQRPayloadsForAnInvoiceAndRefusals() throws {
        let (fixture, students) = try school(students: 1)
        _ = try fixture.issue()
        let invoice = try #require(try fixture.invoices().first)
        let qr = try fixture.pool.withConnection { try InvoiceQueries.paymentQR(schoolID: fixture.school.id, invoiceID: invoice.id, on: $0) }
        #expect(qr.dynamicPayload.amount == invoice.total)
        #expect(qr.dynamicPayload.memo?.hasPrefix(invoice.paymentCode) == true)
        #expect(qr.dynamicPayload.bankBIN == "970436" && qr.dynamicPayload.accountNumber == "0011001234567")
        #expect(qr.staticPayload.amount == nil && qr.staticPayload.memo?.hasPrefix(students[0].paymentCode) == true)
        let parsed = try VietQRPayload(parsing: qr.dynamicPayload.text)
        #expect(parsed == qr.dynamicPayload)
        _ = try fixture.pay(students, 850_001)
        #expect(throws: BillingError.invoiceNotPayable("invoice \(invoice.number.text) is paid: there is nothing left to pay")) {
            try fixture.pool.withConnection { try InvoiceQueries.paymentQR(schoolID: fixture.school.id, invoiceID: invoice.id, on: $0) }
        }
    }

    @Test func aFullyExemptStudentIsInvoicedAtZeroAndNeedsNoPayment() throws {
        let (fixture, students) = try school(students: 1)
        try fixture.transaction { connection in
            _ = try Discounts.add(schoolID: fixture.school.id, DiscountInput(studentID: students[0].id, feeTypeID: nil, value: .percentage(basisPoints: 10_000),
                                                                               reason: "Miễn học phí: hộ nghèo", validFrom: BillingFixture.september,
                                                                               validThrough: nil), on: connection)
        }
        _ = try fixture.issue()
        let invoice = try fixture.invoice(try #require(try fixture.invoices().first).id)
        #expect(invoice.total == .zero && invoice.discount == invoice.gross && invoice.status == .paid)
        #expect(invoice.lines.allSatisfy { $0.net == .zero && $0.discountReason == "Miễn học phí: hộ nghèo" })
        #expect(throws: BillingError.invoiceNotPayable("invoice \(invoice.number.text) is paid: there is nothing left to pay")) {
            try fixture.pool.withConnection { try InvoiceQueries.paymentQR(schoolID: fixture.school.id, invoiceID: invoice.id, on: $0) }
        }
        #expect(try fixture.verify().isClean)
    }

    @Test func theBillingVerifierFindsTamperedRows() throws {
        let (fixture, _) = try school(students: 2)
        _ = try fixture.issue()
        #expect(try fixture.verify().isClean)
        try fixture.transaction { connection in
            try connection.query("UPDATE billing_counters SET last_value = last_value + 1 WHERE school_id = \(fixture.school.id) AND counter = 'invoice_number'")
            try connection.query("""
                UPDATE invoices SET gross = gross + 1, total = total + 1
                WHERE school_id = \(fixture.school.id) AND number = 1
                """)
        }
        let findings = try fixture.verify().billing
        #expect(findings.count == 3)
        #expect(findings.contains { $0.hasPrefix("gapless numbers: invoice_number 2026: counter at 3 but 2") })
        #expect(findings.contains { $0.hasPrefix("invoice lines:") })
        #expect(findings.contains { $0.hasPrefix("invoice entries:") })
    }
}
