import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import SchoolFixtures
import Testing

/// The province report: per school and district, built set-based, adding up across both.
@Suite struct ReconciliationProvinceTests {
    /// Another school in the fixture's database, with `students` students billed `fee` for September
    /// and `cashPaid` of them paid in cash.
    func addSchool(_ fixture: SuspenseFixture, code: String, district: String, prefix: String, students: Int, fee: Int64,
                   cashPaid: Int) throws -> School {
        try fixture.billing.transaction { connection in
            let school = try Schools.create(NewSchool(
                code: code, name: "Trường \(code)", district: district, level: .primary, ownership: .nonPublic, paymentCodePrefix: prefix,
                bankAccounts: [NewBankAccount(bankBIN: "970415", accountNumber: "77\(code.count)\(prefix.utf8.reduce(0) { $0 + Int($1) })",
                                              holderName: code)]), on: connection)
            let tuition = try FeeTypes.add(schoolID: school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(feeTypeID: tuition.id, schoolYear: 2026, scope: .school,
                                                                       monthlyAmount: Money(dong: fee), billableMonths: FeeScheduleInput.septemberToMay,
                                                                       dueDay: 10), on: connection)
            var created: [Student] = []
            for index in 0..<students {
                created.append(try Students.create(schoolID: school.id, StudentDetails(
                    code: "S\(index)", fullName: "Học Sinh \(index)", dateOfBirth: nil, className: "1A", grade: 1), changedBy: "test", on: connection))
            }
            _ = try InvoiceIssuer.issue(schoolID: school.id, period: BillingFixture.september, issuedOn: try CalendarDate(iso: "2026-09-01"),
                                        issuedBy: "test", on: connection)
            for student in created.prefix(cashPaid) {
                _ = try CashReceipts.record(CashPayment(schoolID: school.id, studentIDs: [student.id], amount: Money(dong: fee), payerName: "Phụ huynh",
                                                        receivedOn: try CalendarDate(iso: "2026-09-20"), allocations: nil, recordedBy: "test"),
                                            on: connection)
            }
            return school
        }
    }

    /// A month's figures are the ledger as it stood at the month end, however they are read: from the maintained
    /// balances while nothing is dated after it, from the postings once something is (`LedgerReads.schoolSetBalances`).
    @Test func aMonthEndsOutstandingIsTheSameBeforeAndAfterLaterPostings() throws {
        let fixture = try SuspenseFixture()
        let school = try addSchool(fixture, code: "TH-HAI", district: "Quận 1", prefix: "TH", students: 3, fee: 300_000, cashPaid: 1)
        func outstanding(_ month: CalendarMonth) throws -> Money {
            let report = try fixture.pool.withConnection {
                try ProvinceReports.build(month: month, scope: .authorities([school.authority.code], name: "Quận 1"), on: $0)
            }
            return try #require(report.schools.first { $0.code == "TH-HAI" }).figures.outstanding
        }
        #expect(try outstanding(BillingFixture.september) == Money(dong: 600_000))
        try fixture.billing.transaction { connection in
            let unpaid = try #require(try Students.find(schoolID: school.id, code: "S2", on: connection))
            _ = try CashReceipts.record(CashPayment(schoolID: school.id, studentIDs: [unpaid.id], amount: Money(dong: 300_000), payerName: "Phụ huynh",
                                                    receivedOn: try CalendarDate(iso: "2026-10-05"), allocations: nil, recordedBy: "test"),
                                        on: connection)
        }
        // September as it stood on the 30th, the October payment left out; October with it.
        #expect(try outstanding(BillingFixture.september) == Money(dong: 600_000))
        #expect(try outstanding(BillingFixture.october) == Money(dong: 300_000))
    }

    @Test func figuresAddUpAcrossSchoolsAndDistricts() throws {
        let month = try ReconciliationRunTests.CleanMonth()
        let fixture = month.fixture
        try fixture.importStatement(closingBalance: 1_650_000, closingDate: "2026-09-30", confirming: month.callbacks)
        _ = try fixture.reconcile(close: true)
        let second = try addSchool(fixture, code: "TH-HAI", district: "Quận 1", prefix: "TH", students: 3, fee: 300_000, cashPaid: 2)
        let third = try addSchool(fixture, code: "TH-BA", district: "Đống Đa", prefix: "DD", students: 5, fee: 200_000, cashPaid: 0)
        _ = try MonthlyReconciliation(pool: fixture.pool).run(schoolID: third.id, month: BillingFixture.september, close: false,
                                                              actor: SuspenseFixture.finance, generatedAt: SuspenseFixture.generatedAt)
        let report = try fixture.pool.withConnection {
            try ProvinceReports.build(month: BillingFixture.september, generatedAt: SuspenseFixture.generatedAt, on: $0)
        }
        #expect(report.schools.map(\.code) == ["TH-BA", "TH-HAI", "TRUONG-1"]) // Đống Đa sorts with the D's, before Quận 1
        let byCode = Dictionary(uniqueKeysWithValues: report.schools.map { ($0.code, $0) })
        // Each school's line is what its own monthly report says.
        let own = try MonthlyReconciliation(pool: fixture.pool).preview(schoolID: fixture.school.id, month: BillingFixture.september)
        #expect(byCode["TRUONG-1"]!.figures == own.totals)
        #expect(byCode["TRUONG-1"]!.reconciliation == .closed && byCode["TRUONG-1"]!.unappliedCount == 1)
        #expect(byCode["TH-HAI"]!.figures == CollectionFigures(invoiced: Money(dong: 900_000), collectedByBank: .zero,
                                                               collectedInCash: Money(dong: 600_000), outstanding: Money(dong: 300_000)))
        #expect(byCode["TH-HAI"]!.reconciliation == .notRun)
        #expect(byCode["TH-BA"]!.reconciliation == .open) // agrees: no bank activity, nothing to compare
        #expect(byCode["TH-BA"]!.figures.collectionRate == BasisPoints(0))
        // Subtotals and totals are the sums of the schools.
        let districts = report.districts
        // Schools recorded with a district and no commune are grouped under their former district's transitional authority.
        #expect(districts.map(\.name) == ["Phòng GD&ĐT Đống Đa (cũ)", "Phòng GD&ĐT Quận 1 (cũ)"])
        let quan1 = districts[1].subtotal
        #expect(quan1.schoolCount == 2 && quan1.figures.invoiced == Money(dong: 2_900_000))
        #expect(quan1.figures.collected == Money(dong: 2_300_000) && quan1.unappliedCount == 1)
        #expect(quan1.statusCounts.closed == 1 && quan1.statusCounts.notRun == 1)
        let totals = report.totals
        #expect(totals.figures.invoiced == Money(dong: 3_900_000))
        #expect(totals.figures.outstanding.dong == report.schools.reduce(0) { $0 + $1.figures.outstanding.dong })
        #expect(totals.figures.collectedByBank == Money(dong: 1_500_000))
        // An authority office sees its authority's schools only.
        let district = try fixture.pool.withConnection { connection in
            let authority = try Schools.find(code: "TH-HAI", on: connection)!.authority
            return try ProvinceReports.build(month: BillingFixture.september, scope: .authorities([authority.code], name: "Quận 1"), on: connection)
        }
        #expect(district.schools.map(\.code) == ["TH-HAI", "TRUONG-1"])
        #expect(district.provinceName.hasSuffix("Quận 1"))
        _ = second
        #expect(try fixture.pool.withConnection { try LedgerVerifier.verify(on: $0) }.isClean)
        for school in [fixture.school.id, second.id, third.id] {
            #expect(try fixture.pool.withConnection { try BillingVerifier.verify(schoolID: school, on: $0) }.isEmpty)
        }
    }
}
