import Core
import Reconciliation

/// A small school: two siblings (one with last month still open), a girl without family record, a boy with a
/// virtual account, and a girl who owes the same amount as two others.
enum Fixture {
    static let prefix = "HP"
    static let september = try! CalendarMonth(year: 2026, month: 9)
    static let october = try! CalendarMonth(year: 2026, month: 10)
    static let bookingDate = try! CalendarDate(year: 2026, month: 10, day: 12)

    static func studentCode(_ serial: Int64) -> String {
        try! PaymentCode(prefix: prefix, kind: .student, serial: UInt64(serial)).text
    }

    static func invoiceCode(_ serial: Int64) -> String {
        try! PaymentCode(prefix: prefix, kind: .invoice, serial: UInt64(serial)).text
    }

    static let an = MatchStudent(id: 1, paymentCode: studentCode(1), fullName: "Nguyễn Văn An", className: "3A",
                                 familyKey: "F1", guardianName: "Nguyễn Văn Hùng")
    static let binh = MatchStudent(id: 2, paymentCode: studentCode(2), fullName: "Nguyễn Thị Bình", className: "5B",
                                   familyKey: "F1", guardianName: "Nguyễn Văn Hùng")
    static let chi = MatchStudent(id: 3, paymentCode: studentCode(3), fullName: "Lê Thị Chi", className: "3A",
                                  guardianName: "Lê Văn Tâm")
    static let dung = MatchStudent(id: 4, paymentCode: studentCode(4), fullName: "Trần Đức Dũng", className: "4A",
                                   familyKey: "F2", guardianName: "Phạm Thị Lan", virtualAccount: "9630001000004")
    static let giang = MatchStudent(id: 5, paymentCode: studentCode(5), fullName: "Phạm Thu Giang", className: "2C",
                                    guardianName: "Phạm Văn Sơn")
    static let students = [an, binh, chi, dung, giang]

    static func invoice(_ id: Int64, student: Int64, period: CalendarMonth, dong: Int64) -> MatchInvoice {
        MatchInvoice(id: id, studentId: student, paymentCode: invoiceCode(id), period: period,
                     dueDate: try! CalendarDate(year: period.year, month: period.month, day: 15),
                     total: Money(dong: dong), outstanding: Money(dong: dong))
    }

    static let anSeptember = invoice(101, student: 1, period: september, dong: 500_000)
    static let anOctober = invoice(102, student: 1, period: october, dong: 650_000)
    static let binhOctober = invoice(201, student: 2, period: october, dong: 700_000)
    static let chiOctober = invoice(301, student: 3, period: october, dong: 650_000)
    static let dungOctober = invoice(401, student: 4, period: october, dong: 800_000)
    static let giangOctober = invoice(501, student: 5, period: october, dong: 650_000)
    static let invoices = [anSeptember, anOctober, binhOctober, chiOctober, dungOctober, giangOctober]

    static func context() throws -> MatchContext {
        try MatchContext(prefix: prefix, students: students, invoices: invoices)
    }

    static func transaction(
        _ id: Int64 = 1, dong: Int64, memo: String, payer: String? = nil, virtualAccount: String? = nil,
        date: CalendarDate = bookingDate
    ) -> MatchTransaction {
        MatchTransaction(id: id, amount: Money(dong: dong), bookingDate: date, memo: memo, payerName: payer,
                         virtualAccount: virtualAccount)
    }

    static func allocation(_ invoice: Int64, _ dong: Int64) -> Allocation {
        Allocation(invoiceId: invoice, amount: Money(dong: dong))
    }

    /// `code` with the character at `position` replaced by another symbol of the alphabet.
    static func substituted(_ code: String, at position: Int) -> String {
        var bytes = Array(code.utf8)
        bytes[position] = bytes[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return String(decoding: bytes, as: UTF8.self)
    }
}
