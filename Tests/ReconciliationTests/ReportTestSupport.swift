import Core
import Foundation
import Reconciliation
import TestSupport

/// A month of a school with something in every section.
enum ReportFixture {
    static let september = try! CalendarMonth(year: 2026, month: 9)
    static func day(_ day: Int, month: Int = 9) -> CalendarDate { try! CalendarDate(year: 2026, month: month, day: day) }
    /// 2026-10-01 08:30:05 in Vietnam.
    static let generatedAt = VietnamTime.instant(day(1, month: 10), hour: 8, minute: 30, second: 5)
    static let school = ReportSchool(id: 7, code: "TH-KD", name: "Trường Tiểu học Kim Đồng", district: "Quận Ba Đình")

    static let totals = CollectionFigures(
        invoiced: Money(dong: 400_000_000), collectedByBank: Money(dong: 280_000_000),
        collectedInCash: Money(dong: 70_000_000), outstanding: Money(dong: 95_000_000))

    static let accounts = [
        BankAccountAgreement(
            bankName: "VietinBank", accountNumber: "0011001932418", ledgerBalance: Money(dong: 512_300_000),
            statementClosingBalance: Money(dong: 511_000_000), statementDate: day(30),
            explainingItems: [
                ExplainingItem(kind: .statementLineWithoutCallback, date: day(30), amount: Money(dong: -200_000),
                               reference: "FT26273000001", memo: "HP7K2Q9XA NGUYEN VAN AN"),
                ExplainingItem(kind: .callbackNotOnStatement, date: day(30), amount: Money(dong: 1_500_000),
                               reference: "CB-991", memo: "=HYPERLINK(\"http://x\",\"bấm\")"),
            ]),
        BankAccountAgreement(
            bankName: "Agribank", accountNumber: "1500201084567", ledgerBalance: Money(dong: 12_000_000),
            statementClosingBalance: nil, statementDate: nil, explainingItems: []),
    ]

    static let unapplied = [
        UnappliedItem(transactionId: 9_001, bookingDate: day(3), amount: Money(dong: 650_000), payerName: "LE VAN TAM",
                      memo: "HOC PHI, CHAU CHI \"LOP 3A\"\nTHANG 9"),
        UnappliedItem(transactionId: 9_002, bookingDate: day(28), amount: Money(dong: 1_234_567), payerName: nil,
                      memo: "+84 912 345 678 chuyen tien"),
    ]

    static let invoices = [
        OutstandingInvoice(invoiceCode: "HP7K2Q9XA", studentName: "Nguyễn Văn An", studentCode: "HP2345X", className: "3A",
                           period: september, dueDate: day(15), outstanding: Money(dong: 800_000)),
        OutstandingInvoice(invoiceCode: "HP7K2Q8XB", studentName: "Lê Thị Chi", studentCode: "HP2347Z", className: "3A",
                           period: september.adding(months: -1), dueDate: day(15, month: 8), outstanding: Money(dong: 650_000)),
        OutstandingInvoice(invoiceCode: "HP7K2Q7XC", studentName: "Trần Đức Dũng", studentCode: "HP2348A", className: "4A",
                           period: september.adding(months: -4), dueDate: day(15, month: 5), outstanding: Money(dong: 2_100_000)),
        OutstandingInvoice(invoiceCode: "HP7K2Q6XD", studentName: "Phạm Thu Giang", studentCode: "HP2349B", className: "2C",
                           period: september, dueDate: day(15), outstanding: .zero),
    ]

    static let credits = [
        FamilyCredit(familyKey: "F1", familyName: "Nguyễn Văn Hùng", balance: Money(dong: 150_000)),
        FamilyCredit(familyKey: "F2", familyName: "Phạm Thị Lan", balance: Money(dong: 1_000_000)),
    ]

    static let exceptions = ReportExceptions(
        likelyDuplicates: [
            DuplicatePayment(transactionIds: [9_010, 9_011], payerName: "LE VAN TAM", amount: Money(dong: 650_000),
                             memo: "HP7K2Q9XA LE THI CHI", firstBookingDate: day(12), lastBookingDate: day(13)),
        ],
        amountsFarFromInvoices: [
            FarAmountPayment(transactionId: 9_020, bookingDate: day(20), amount: Money(dong: 50_000_000),
                             nearestBilledAmount: Money(dong: 2_100_000), memo: "@NOP TIEN"),
        ])

    static func series(months: Int, invoiced: Int64 = 400_000_000, collected: Int64 = 350_000_000) -> [MonthlyCollection] {
        (0..<months).map { index in
            MonthlyCollection(month: september.adding(months: index - months + 1), invoiced: Money(dong: invoiced + Int64(index) * 1_000_000),
                              collected: Money(dong: collected + Int64(index) * 500_000))
        }
    }

    static func report(
        school: ReportSchool = school, state: MonthlyReconciliationState = .differences, totals: CollectionFigures = totals,
        accounts: [BankAccountAgreement] = accounts, unapplied: [UnappliedItem] = unapplied,
        credits: [FamilyCredit] = credits, series: [MonthlyCollection] = series(months: 4), generatedAt: Date = generatedAt
    ) throws -> MonthlyReconciliationReport {
        try MonthlyReconciliationReport(
            school: school, month: september, generatedAt: generatedAt, runId: 42, state: state, totals: totals,
            bankAccounts: accounts, unapplied: unapplied,
            outstandingAging: OutstandingAging(invoices: invoices, month: september, largestCount: 10),
            familyCredits: credits, exceptions: exceptions, collectionByMonth: series)
    }

    static func provinceSchool(
        _ code: String, district: String, name: String? = nil, invoiced: Int64 = 100_000_000, bank: Int64 = 60_000_000,
        cash: Int64 = 20_000_000, status: ProvinceReconciliationStatus = .closed, unapplied: Int = 1
    ) -> ProvinceSchoolRow {
        ProvinceSchoolRow(
            code: code, name: name ?? "Trường \(code)", district: district, level: .primary,
            figures: CollectionFigures(invoiced: Money(dong: invoiced), collectedByBank: Money(dong: bank),
                                       collectedInCash: Money(dong: cash), outstanding: Money(dong: invoiced - bank - cash)),
            reconciliation: status, unappliedCount: unapplied)
    }

    static let provinceSchools = [
        provinceSchool("DD-02", district: "Quận Đống Đa", status: .differences, unapplied: 4),
        provinceSchool("BD-02", district: "Quận Ba Đình", invoiced: 0, bank: 0, cash: 0, status: .notRun, unapplied: 0),
        provinceSchool("DD-01", district: "Quận Đống Đa", bank: 90_000_000, cash: 0),
        provinceSchool("BD-01", district: "Quận Ba Đình", bank: 10_000_000, cash: 30_000_000, status: .open),
        provinceSchool("CG-01", district: "Quận Cầu Giấy", invoiced: 50_000_000, bank: 60_000_000, cash: 5_000_000),
    ]

    static func province(_ schools: [ProvinceSchoolRow] = provinceSchools, name: String = "Sở GD&ĐT Hà Nội") throws -> ProvinceReport {
        try ProvinceReport(provinceName: name, month: september, generatedAt: generatedAt, schools: schools)
    }
}

/// Checks on rendered output.
enum ReportCheck {
    /// The SVG elements of `svg` with their attributes: (name, [attribute: value]).
    static func svgElements(_ svg: String) -> [(name: String, attributes: [String: String])] {
        var elements: [(String, [String: String])] = []
        for piece in svg.split(separator: "<").dropFirst() where !piece.hasPrefix("/") {
            let tag = piece.prefix { $0 != ">" }
            let name = String(tag.prefix { $0.isLetter })
            var attributes: [String: String] = [:]
            var rest = tag.dropFirst(name.count)
            while let equals = rest.firstIndex(of: "=") {
                let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
                let afterQuote = rest.index(equals, offsetBy: 2)
                guard let closing = rest[afterQuote...].firstIndex(of: "\"") else { break }
                attributes[key] = String(rest[afterQuote..<closing])
                rest = rest[rest.index(after: closing)...]
            }
            elements.append((name, attributes))
        }
        return elements
    }

    /// A strict RFC 4180 reader for the tests: BOM stripped, CRLF rows, quoted fields with doubled quotes.
    /// Nil when a bare LF or CR appears outside quotes or a quote is misplaced.
    static func parseCSV(_ bytes: [UInt8], separator: Character = ",") -> [[String]]? {
        guard bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil }
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var scalars = Array(text.unicodeScalars)[...]
        var fieldStarted = false
        while let scalar = scalars.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if scalars.first == "\"" { scalars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard !fieldStarted else { return nil }
                inQuotes = true
                fieldStarted = true
            case Unicode.Scalar(String(separator))!:
                row.append(field); field = ""; fieldStarted = false
            case "\r":
                guard scalars.popFirst() == "\n" else { return nil }
                row.append(field); rows.append(row); row = []; field = ""; fieldStarted = false
            case "\n":
                return nil
            default:
                field.unicodeScalars.append(scalar)
                fieldStarted = true
            }
        }
        guard !inQuotes, row.isEmpty, field.isEmpty else { return nil }
        return rows
    }
}
