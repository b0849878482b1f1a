import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import SchoolFixtures
import Testing
import TestSupport

/// A day of bank collection with deliberate differences, reconciled against the bank's file.
@Suite struct CollectionReconciliationTests {
    static let day = try! CalendarDate(iso: "2026-09-15")

    struct Day {
        let fixture: CollectionFixture
        let an: Student, binh: Student, chi: Student

        init() throws {
            fixture = try CollectionFixture()
            try fixture.billing.addFee("HP", amount: 500_000)
            an = try fixture.billing.addStudent("HS001", name: "Nguyễn Văn An")
            binh = try fixture.billing.addStudent("HS002", name: "Trần Thị Bình")
            chi = try fixture.billing.addStudent("HS003", name: "Lê Minh Chí")
            _ = try fixture.billing.issue()
            for (id, code) in [("TX-MATCH", "HS001"), ("TX-OURS", "HS003"), ("TX-DIFF", "HS002")] {
                let result = try fixture.send("payments", ["transaction_id": id, "amount": 500_000, "paid_at": "2026-09-15T09:00:00+07:00",
                                                           "customer_code": code])
                precondition(result.outcome == .ok)
            }
        }

        func reconcile(_ text: String) throws -> CollectionDayReport {
            try CollectionReconciler.reconcile(Array(text.utf8), fileName: "tuition-20260915.txt", description: fixture.tuition,
                                               school: fixture.school, date: CollectionReconciliationTests.day, pool: fixture.pool,
                                               now: fixture.now)
        }
    }

    static let file = """
        transaction_id|paid_at|customer_code|amount
        TX-MATCH|2026-09-15T09:00:00+07:00|HS001|500000
        TX-DIFF|2026-09-15T09:00:00+07:00|HS002|450000
        TX-BANK|2026-09-15T11:30:00+07:00|HS002|300000

        """

    @Test func everyDifferenceIsNamedAndTheBankOnlyPaymentIsBookedNow() throws {
        let day = try Day()
        let report = try day.reconcile(Self.file)
        #expect(report.matched.count == 1 && report.matched.bankAmount == 500_000)
        #expect(report.bankOnly.count == 1 && report.bankOnly.bankAmount == 300_000)
        #expect(report.oursOnly.count == 1 && report.oursOnly.ourAmount == 500_000)
        #expect(report.amountDiffers.count == 1 && report.amountDiffers.bankAmount == 450_000 && report.amountDiffers.ourAmount == 500_000)
        let kinds = Dictionary(uniqueKeysWithValues: report.differences.map { ($0.transactionID, $0.kind) })
        #expect(kinds == ["TX-MATCH": .matched, "TX-BANK": .bankOnly, "TX-OURS": .oursOnly, "TX-DIFF": .amountDiffers])
        let booked = try day.fixture.payment("TX-BANK")!
        #expect(booked.exception == .bankOnly && booked.source == "reconciliation_file" && booked.credited == Money(dong: 300_000))
        #expect(try day.fixture.count("SELECT count(*) FROM collection_reconciliations") == 1)
        // Run again: what was booked from the file now matches; the other differences stay named.
        let again = try day.reconcile(Self.file)
        #expect(again.matched.count == 2 && again.bankOnly.count == 0 && again.oursOnly.count == 1 && again.amountDiffers.count == 1)
        #expect(try day.fixture.billing.verify().isClean)
    }

    @Test func theAnswerFilesAndReportsNameTheDifferences() throws {
        let day = try Day()
        let report = try day.reconcile(Self.file)
        let differences = CollectionDayFile.differencesFile(report.differences, layout: day.fixture.tuition.file)
        let lines = differences.split(separator: "\r\n").map(String.init)
        #expect(lines[0] == "transaction_id|paid_at|customer_code|amount|difference")
        #expect(lines.contains("TX-BANK|2026-09-15T11:30:00+07:00|HS002|300000|bank_only"))
        #expect(lines.contains("TX-DIFF|2026-09-15T09:00:00+07:00|HS002|450000|amount_differs"))
        #expect(lines.count == 4)
        let summary = CollectionDayReportFormats.summary(report, layout: day.fixture.tuition.file)
        #expect(summary.contains("2026-09-15|ours_only|1|0|500000"))
        let csv = CollectionDayReportFormats.csv(report)
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: csv.dropFirst(3), as: UTF8.self).contains("ours_only,TX-OURS,HS003,,500000,"))
        let html = CollectionDayReportFormats.html(report)
        #expect(html.contains("TX-OURS") && html.contains("amount_differs") && !html.contains("<script"))
        let json = try JSONDecoder().decode(CollectionDayReport.self, from: Data(try CollectionDayReportFormats.json(report)))
        #expect(json == report)
    }

    @Test func theMonthlyReportShowsTheDayAndNamesItsExceptions() throws {
        let day = try Day()
        let reconciliation = MonthlyReconciliation(pool: day.fixture.pool)
        let before = try reconciliation.preview(schoolID: day.fixture.school.id, month: BillingFixture.september)
        #expect(before.collectionDays.isEmpty && !MonthlyReportJSON.render(before).contains("collectionDays"))
        _ = try day.reconcile(Self.file)
        // The file run again after the bank-only payment was booked: the later result stands for the day.
        _ = try day.reconcile(Self.file)
        let report = try reconciliation.preview(schoolID: day.fixture.school.id, month: BillingFixture.september)
        #expect(report.collectionDays.count == 1)
        let shown = try #require(report.collectionDays.first)
        #expect(shown.date == Self.day && shown.provider == "tuition")
        #expect(shown.matched.count == 2 && shown.matched.bankAmount == Money(dong: 800_000))
        #expect(shown.bankOnly.count == 0 && shown.oursOnly.count == 1 && shown.amountDiffers.count == 1 && shown.differingCount == 2)
        #expect(shown.exceptions.map(\.transactionId) == ["TX-DIFF", "TX-OURS"])
        #expect(shown.exceptions.map(\.kind) == ["amount_differs", "ours_only"])
        #expect(shown.exceptions[0].bankAmount == Money(dong: 450_000) && shown.exceptions[0].ourAmount == Money(dong: 500_000))
        let json = MonthlyReportJSON.render(report)
        #expect(json.contains("\"collectionDays\": [") && json.contains("\"transactionId\": \"TX-OURS\""))
        let decoded = try JSONDecoder().decode(MonthlyReconciliationReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
        let html = MonthlyReportPage.html(report)
        #expect(html.contains("Đối soát thu hộ cuối ngày") && html.contains("TX-OURS") && html.contains("Lệch số tiền"))
        let csv = String(decoding: MonthlyReportCSV.render(report), as: UTF8.self)
        #expect(csv.contains("2026-09-15,tuition,2,800000,0,0,1,500000,1,450000,500000"))
        #expect(csv.contains("2026-09-15,tuition,ours_only,TX-OURS,HS003,,500000"))
        #expect(!String(decoding: MonthlyReportCSV.render(before), as: UTF8.self).contains("thu hộ"))
    }

    @Test func aBadFileIsRefusedWholeNamingFileLineAndField() throws {
        let day = try Day()
        let before = try day.fixture.count("SELECT count(*) FROM bank_transactions")
        let bad = Self.file.replacingOccurrences(of: "HS002|450000", with: "HS002|45O000")
        #expect {
            _ = try day.reconcile(bad)
        } throws: { error in
            "\(error)" == "tuition-20260915.txt:3: amount: '45O000' is not a positive whole number of đồng"
        }
        let otherDay = Self.file.replacingOccurrences(of: "2026-09-15T11:30", with: "2026-09-16T11:30")
        #expect {
            _ = try day.reconcile(otherDay)
        } throws: { error in
            "\(error)".hasPrefix("tuition-20260915.txt:4: paid_at: paid on 2026-09-16")
        }
        #expect(throws: CollectionReconcileError.self) { _ = try day.reconcile("id|amount\nX|1\n") }
        #expect(try day.fixture.count("SELECT count(*) FROM bank_transactions") == before)
        #expect(try day.fixture.count("SELECT count(*) FROM collection_reconciliations") == 0)
    }
}
