import Core
import Ledger
import Postgres

/// How a receipt's money came in.
public enum ReceiptMethod: String, Sendable, Codable, CaseIterable {
    case cash
    case bank
}

/// Everything a printed receipt ("biên lai") shows, for `ReceiptPage` in Billing/Documents.
public struct ReceiptRecord: Hashable, Sendable, Codable {
    /// What the receipt paid on one invoice.
    public struct Item: Hashable, Sendable, Codable {
        public var applicationID: Int64
        public var invoiceID: Int64
        public var invoiceNumber: InvoiceNumber
        public var invoicePaymentCode: String
        public var period: CalendarMonth
        /// The invoice's fees by name, e.g. "Học phí, Tiền ăn bán trú".
        public var feeSummary: String
        public var amount: Money
        /// True when the application was later unapplied (reversed).
        public var unapplied: Bool
    }

    public var id: Int64
    public var schoolYear: Int
    public var sequence: Int
    /// `2026/000123`, as `ReceiptNumber` prints it.
    public var numberText: String
    public var receivedOn: CalendarDate
    public var school: School
    public var payerName: String
    public var student: Student
    public var items: [Item]
    /// Kept as the family's (or student's) credit when the payment was applied.
    public var credit: Money
    /// Everything received for this student: the items plus the credit.
    public var amount: Money
    public var method: ReceiptMethod
    public var bankReference: String?
    public var bankTransactionID: Int64?
    public var recordedBy: String
    /// True when every application of the receipt was unapplied: the receipt stands cancelled.
    public var isCancelled: Bool
}

/// Totals of the receipts of a school by method, so the cashless share can be reported.
public struct ReceiptMethodTotals: Hashable, Sendable, Codable {
    public var cashCount: Int
    public var cashAmount: Money
    public var bankCount: Int
    public var bankAmount: Money

    /// The bank share of the amount received, in basis points (0–10,000), rounded half up; nil when nothing was received.
    public var cashlessShareBasisPoints: Int? {
        let total = cashAmount.dong + bankAmount.dong
        guard total > 0 else { return nil }
        let (high, low) = bankAmount.dong.multipliedFullWidth(by: 10_000)
        let (quotient, remainder) = total.dividingFullWidth((high, low))
        return Int(quotient) + (remainder * 2 >= total ? 1 : 0)
    }
}

/// Reading receipts.
public enum Receipts {
    public static func receipt(schoolID: Int64, receiptID: Int64, on connection: PostgresConnection) throws -> ReceiptRecord? {
        guard let row = try connection.query("""
            SELECT school_year, number, received_on, payer_name, student_id, method, bank_reference, bank_transaction_id, amount, recorded_by
            FROM receipts WHERE school_id = \(schoolID) AND receipt_id = \(receiptID)
            """).singleRow() else { return nil }
        let (year, number, receivedOn, payer, studentID, method, reference, transaction, amount, recordedBy) =
            try row.decode((Int, Int, CalendarDate, String, Int64, String, String?, Int64?, Money, String).self)
        guard let school = try Schools.find(id: schoolID, on: connection),
              let student = try Students.find(schoolID: schoolID, id: studentID, on: connection) else { return nil }
        let (items, credit, allUnapplied) = try receiptItems(schoolID: schoolID, receiptID: receiptID, on: connection)
        let numberText = InvoiceNumber(schoolYear: year, sequence: number).text
        return ReceiptRecord(id: receiptID, schoolYear: year, sequence: number, numberText: numberText, receivedOn: receivedOn, school: school,
                             payerName: payer, student: student, items: items, credit: credit, amount: amount,
                             method: ReceiptMethod(rawValue: method) ?? .cash, bankReference: reference, bankTransactionID: transaction,
                             recordedBy: recordedBy, isCancelled: allUnapplied)
    }

    /// The printed numbers (`2026/000123`) of receipts, by id: what a bank shows its customer.
    public static func numbers(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        var numbers: [Int64: String] = [:]
        for row in try connection.query("""
            SELECT receipt_id, school_year, number FROM receipts WHERE school_id = \(schoolID) AND receipt_id = ANY(\(PostgresInt64Array(ids)))
            """) {
            let (id, year, number) = try row.decode((Int64, Int, Int).self)
            numbers[id] = InvoiceNumber(schoolYear: year, sequence: number).text
        }
        return numbers
    }

    /// The ids of the receipts written for a payment key, ascending, as an SQL array expression over
    /// `keyColumn` (a column of the caller's statement): for a row that records them in the statement
    /// after the one that wrote them, in the same pipeline (bank collection notices, docs/callbacks.md §6,
    /// eighth round). One probe of the unique index on (school, payment key, student) per row.
    public static func idsOfPayment(schoolID: Int64, keyColumn: String) -> PostgresFragment {
        """
        ARRAY(SELECT receipt_id FROM receipts WHERE school_id = \(schoolID) AND payment_key = \(unescaped: keyColumn) ORDER BY receipt_id)
        """
    }

    /// The id of the school's receipt of that id (nil: no such receipt in the school).
    public static func existingID(schoolID: Int64, id: Int64, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("""
            SELECT receipt_id FROM receipts WHERE school_id = \(schoolID) AND receipt_id = \(id)
            """).singleRow().map { try $0.decode(column: 0, as: Int64.self) }
    }

    /// The id of the school's receipt numbered `number` (receipts share the invoices' `year/sequence` form).
    public static func id(schoolID: Int64, number: InvoiceNumber, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("""
            SELECT receipt_id FROM receipts
            WHERE school_id = \(schoolID) AND school_year = \(number.schoolYear) AND number = \(number.sequence)
            """).singleRow().map { try $0.decode(column: 0, as: Int64.self) }
    }

    /// The receipt ids of a student, newest first.
    public static func list(schoolID: Int64, studentID: Int64, on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("""
            SELECT receipt_id FROM receipts WHERE school_id = \(schoolID) AND student_id = \(studentID) ORDER BY receipt_id DESC LIMIT \(BillingLimits.receiptsPerListingMax)
            """).map { try $0.decode(column: 0, as: Int64.self) }
    }

    /// Cash and bank receipts dated from `from` through `through`.
    public static func methodTotals(schoolID: Int64, from: CalendarDate, through: CalendarDate,
                                    on connection: PostgresConnection) throws -> ReceiptMethodTotals {
        var totals = ReceiptMethodTotals(cashCount: 0, cashAmount: .zero, bankCount: 0, bankAmount: .zero)
        for row in try connection.query("""
            SELECT method, count(*), sum(amount)::int8 FROM receipts
            WHERE school_id = \(schoolID) AND received_on BETWEEN \(from) AND \(through) GROUP BY method
            """) {
            let (method, count, amount) = try row.decode((String, Int, Money).self)
            if method == "bank" { (totals.bankCount, totals.bankAmount) = (count, amount) } else { (totals.cashCount, totals.cashAmount) = (count, amount) }
        }
        return totals
    }

    static func receiptItems(schoolID: Int64, receiptID: Int64, on connection: PostgresConnection) throws -> ([ReceiptRecord.Item], Money, Bool) {
        var items: [ReceiptRecord.Item] = []
        var credit = Money.zero
        var allUnapplied = true
        for row in try connection.query("""
            SELECT a.application_id, a.invoice_id, a.amount, a.unapply_entry_id IS NOT NULL, i.school_year, i.number, i.payment_code, i.period,
                   -- A per-day line reads "Tiền ăn bán trú: 19 ngày × 25.000 đ", as InvoiceLine.itemText prints it.
                   (SELECT string_agg(f.name || CASE WHEN l.quantity IS NULL THEN '' ELSE
                                          ': ' || l.quantity || ' ngày × ' || replace(to_char(l.unit_price, 'FM999,999,999,990'), ',', '.') || ' đ'
                                      END, ', ' ORDER BY l.line) FROM invoice_lines l
                    JOIN fee_types f ON f.school_id = l.school_id AND f.fee_type_id = l.fee_type_id
                    WHERE l.school_id = i.school_id AND l.invoice_id = i.invoice_id)
            FROM payment_applications a
            LEFT JOIN invoices i ON i.school_id = a.school_id AND i.invoice_id = a.invoice_id
            WHERE a.school_id = \(schoolID) AND a.receipt_id = \(receiptID) ORDER BY a.ordinal
            """) {
            let (application, invoice, amount, unapplied, year, number, code, period, fees) =
                try row.decode((Int64, Int64?, Money, Bool, Int?, Int?, String?, CalendarMonth?, String?).self)
            allUnapplied = allUnapplied && unapplied
            guard let invoice, let year, let number, let code, let period else {
                credit = try credit.adding(amount)
                continue
            }
            items.append(ReceiptRecord.Item(applicationID: application, invoiceID: invoice, invoiceNumber: InvoiceNumber(schoolYear: year, sequence: number),
                                            invoicePaymentCode: code, period: period, feeSummary: fees ?? "", amount: amount, unapplied: unapplied))
        }
        return (items, credit, allUnapplied)
    }
}
