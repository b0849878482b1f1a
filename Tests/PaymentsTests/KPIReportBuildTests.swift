import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import SchoolFixtures
import Testing

/// The KPI report from the database: schools collecting through banks, cashless shares by count and value,
/// per authority, with the same money the province report counts.
@Suite struct KPIReportBuildTests {
    @Test func countsSchoolsWithABankPaymentAndAgreesWithTheProvinceReport() throws {
        let month = try ReconciliationRunTests.CleanMonth()
        let fixture = month.fixture
        // Two more schools of another authority paid in cash only, one of them a preschool (not general education).
        let cashOnly = try ReconciliationProvinceTests().addSchool(fixture, code: "TH-HAI", district: "Quận Hai", prefix: "TH", students: 3,
                                                                   fee: 300_000, cashPaid: 2)
        let preschool = try fixture.billing.transaction { connection in
            try Schools.create(NewSchool(code: "MN-HAI", name: "Trường Mầm non Hai", district: "Quận Hai", level: .preschool,
                                         paymentCodePrefix: "MN", bankAccounts: []), on: connection)
        }
        let september = BillingFixture.september
        let (report, province) = try fixture.pool.withConnection { connection in
            (try KPIReports.build(period: .month(september), generatedAt: SuspenseFixture.generatedAt, on: connection),
             try ProvinceReports.build(month: september, on: connection))
        }
        let byCode = Dictionary(uniqueKeysWithValues: report.authorities.map { ($0.code, $0.figures) })
        let own = try #require(byCode[fixture.school.authority.code])
        #expect(own.generalSchools == 1 && own.bankSchools == 1 && own.bankPayments > 0)
        let other = try #require(byCode[cashOnly.authority.code])
        #expect(preschool.authority == cashOnly.authority)
        #expect(other.generalSchools == 1 && other.bankSchools == 0 && other.bankPayments == 0 && other.cashPayments == 2)
        #expect(other.bankSchoolShare == BasisPoints(0) && other.cashlessShareByCount == BasisPoints(0))
        let total = report.province
        #expect(total.generalSchools == 2 && total.bankSchools == 1 && total.bankSchoolShare == BasisPoints(5_000))
        // The money is the province report's "collected", by bank and in cash.
        #expect(total.bankAmount == province.totals.figures.collectedByBank && total.cashAmount == province.totals.figures.collectedInCash)
        #expect(total.cashlessShareByValue == province.totals.figures.cashlessShare)
        #expect(report.trend.map(\.month) == [september] && report.trend[0].figures == total)
        // An authority's office sees only its authority.
        let scoped = try fixture.pool.withConnection {
            try KPIReports.build(period: .month(september), scope: .authorities([cashOnly.authority.code], name: cashOnly.authority.name), on: $0)
        }
        #expect(scoped.authorities.map(\.code) == [cashOnly.authority.code] && scoped.province == other)
        // A month with no payments: schools counted, none collecting, shares of payments "no data".
        let october = try fixture.pool.withConnection { try KPIReports.build(period: .month(BillingFixture.october), on: $0) }
        #expect(october.province.generalSchools == 2 && october.province.bankSchools == 0)
        #expect(october.province.cashlessShareByCount == nil && october.province.cashlessShareByValue == nil)
        #expect(october.trend.map(\.month) == [september, BillingFixture.october] && october.trend[0].figures == total)
    }
}
