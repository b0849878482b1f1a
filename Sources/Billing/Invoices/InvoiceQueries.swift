import Core
import Ledger
import Postgres

/// What to list.
public struct InvoiceFilter: Hashable, Sendable, Codable {
    public var period: CalendarMonth?
    public var className: String?
    public var status: InvoiceStatus?
    public var studentID: Int64?

    public init(period: CalendarMonth? = nil, className: String? = nil, status: InvoiceStatus? = nil, studentID: Int64? = nil) {
        self.period = period
        self.className = className
        self.status = status
        self.studentID = studentID
    }
}

/// Reading invoices. Outstanding amounts and statuses come from the ledger on every read: the
/// receivable balance of the invoice dimension (`dimension_balances`, one primary-key lookup per
/// invoice) and whether the invoice's entry was reversed (the unique index on `reverses_entry_id`).
public enum InvoiceQueries {
    public static func invoice(schoolID: Int64, id: Int64, on connection: PostgresConnection) throws -> Invoice? {
        guard var invoice = try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND invoice_id = \(id)
            """).first.map(decode) else { return nil }
        invoice.lines = try lines(schoolID: schoolID, invoiceID: id, on: connection)
        return invoice
    }

    /// The numbers of the school's invoices of `ids`, in one query (unknown ids are left out).
    public static func numbers(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [Int64: InvoiceNumber] {
        guard !ids.isEmpty else { return [:] }
        var numbers: [Int64: InvoiceNumber] = [:]
        for row in try connection.query("""
            SELECT invoice_id, school_year, number FROM invoices WHERE school_id = \(schoolID) AND invoice_id = ANY(\(PostgresInt64Array(ids)))
            """) {
            let (id, year, sequence) = try row.decode((Int64, Int, Int).self)
            numbers[id] = InvoiceNumber(schoolYear: year, sequence: sequence)
        }
        return numbers
    }

    public static func invoice(schoolID: Int64, number: InvoiceNumber, on connection: PostgresConnection) throws -> Invoice? {
        guard let row = try connection.query("""
            SELECT invoice_id FROM invoices WHERE school_id = \(schoolID) AND school_year = \(number.schoolYear) AND number = \(number.sequence)
            """).singleRow() else { return nil }
        return try invoice(schoolID: schoolID, id: try row.decode(column: 0, as: Int64.self), on: connection)
    }

    /// Invoices carrying `paymentCode` in any school (codes are unique per school only): the parents' page knows
    /// the code from the notice but not the school. At most `limit` (a code is shared by few schools, if any).
    public static func invoicesAnySchool(paymentCode: String, limit: Int, on connection: PostgresConnection) throws -> [Invoice] {
        try connection.query("""
            SELECT school_id, invoice_id FROM invoices WHERE payment_code = \(paymentCode.uppercased()) ORDER BY school_id LIMIT \(limit)
            """).map { row in try row.decode((Int64, Int64).self) }
            .compactMap { schoolID, invoiceID in try invoice(schoolID: schoolID, id: invoiceID, on: connection) }
    }

    public static func invoice(schoolID: Int64, paymentCode: String, on connection: PostgresConnection) throws -> Invoice? {
        guard let row = try connection.query("""
            SELECT invoice_id FROM invoices WHERE school_id = \(schoolID) AND payment_code = \(paymentCode.uppercased())
            """).singleRow() else { return nil }
        return try invoice(schoolID: schoolID, id: try row.decode(column: 0, as: Int64.self), on: connection)
    }

    /// Invoices matching `filter`, by number, those after `after` only (a page's cursor); at most `limit`
    /// (bounded by `BillingLimits.invoicesPerListingMax`). Lines are not read.
    public static func list(schoolID: Int64, filter: InvoiceFilter, after: InvoiceNumber? = nil,
                            limit: Int = BillingLimits.invoicesPerListingMax, on connection: PostgresConnection) throws -> [Invoice] {
        let bounded = min(max(limit, 0), BillingLimits.invoicesPerListingMax)
        return try connection.query("""
            \(unescaped: selectSQL)
            WHERE school_id = \(schoolID) AND (\(filter.period)::date IS NULL OR period = \(filter.period))
              AND (\(filter.className)::text IS NULL OR class_name = \(filter.className))
              AND (\(filter.studentID)::int8 IS NULL OR student_id = \(filter.studentID))
              AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
              AND (school_year, number) > (\(after?.schoolYear ?? 0), \(after?.sequence ?? 0))
            ORDER BY school_year, number LIMIT \(bounded)
            """).map(decode)
    }

    /// The live (not void) invoices with something still owed, of these students or (nil) of the whole
    /// school, oldest due first: what a matcher or the cash desk allocates over.
    public static func unpaid(schoolID: Int64, studentIDs: [Int64]?, on connection: PostgresConnection) throws -> [Invoice] {
        // Two statements, not `($ids IS NULL OR student_id = ANY($ids))`: a generic plan of that one
        // cannot use the student index and reads every invoice of the school for every payment.
        guard let studentIDs else {
            return try connection.query("""
                \(unescaped: selectSQL)
                WHERE school_id = \(schoolID) AND NOT reversed AND outstanding > 0
                ORDER BY due_date, period, student_code, school_year, number
                LIMIT \(BillingLimits.invoicesPerListingMax)
                """).map(decode)
        }
        return try sendUnpaid(schoolID: schoolID, studentIDs: studentIDs, on: connection).get()
    }

    /// `unpaid` of these students sent now and read later (`PostgresConnection.send`).
    public static func sendUnpaid(schoolID: Int64, studentIDs: [Int64], on connection: PostgresConnection) throws -> PostgresPending<[Invoice]> {
        try sendUnpaid(schoolID: schoolID, students: "student_id = ANY(\(PostgresInt64Array(studentIDs)))", select: selectSQL, on: connection)
    }

    /// `unpaid` of the students a fragment selects (`Students.withCodes`: a batch's pupils), sent now and read
    /// later: the pupils reached by their index (`Students.studentIDIn`), each balance probed by key (`selectFewSQL`).
    public static func sendUnpaid(schoolID: Int64, ofStudentsIn selected: PostgresFragment,
                                  on connection: PostgresConnection) throws -> PostgresPending<[Invoice]> {
        try sendUnpaid(schoolID: schoolID, students: Students.studentIDIn(selected), select: selectFewSQL, on: connection)
    }

    private static func sendUnpaid(schoolID: Int64, students: PostgresFragment, select: String,
                                   on connection: PostgresConnection) throws -> PostgresPending<[Invoice]> {
        try connection.send("""
            \(unescaped: select)
            WHERE school_id = \(schoolID) AND \(students) AND NOT reversed AND outstanding > 0
            ORDER BY due_date, period, student_code, school_year, number
            LIMIT \(BillingLimits.invoicesPerListingMax)
            """) { try $0.map(decode) }
    }

    /// The student of each of these invoices (those that exist in the school), in one statement.
    public static func studentIDs(schoolID: Int64, invoiceIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: Int64] {
        guard !invoiceIDs.isEmpty else { return [:] }
        return try IDMaps.read("""
            SELECT invoice_id, student_id FROM invoices WHERE school_id = \(schoolID) AND invoice_id = ANY(\(PostgresInt64Array(invoiceIDs)))
            """, on: connection)
    }

    public static func lines(schoolID: Int64, invoiceID: Int64, on connection: PostgresConnection) throws -> [InvoiceLine] {
        try connection.query("""
            SELECT l.line, l.fee_type_id, f.code, f.name, f.kind, l.gross, l.discount, l.net, l.discount_reason,
                   l.quantity, l.unit_price, l.credited_days, l.state_share
            FROM invoice_lines l JOIN fee_types f ON f.school_id = l.school_id AND f.fee_type_id = l.fee_type_id
            WHERE l.school_id = \(schoolID) AND l.invoice_id = \(invoiceID) ORDER BY l.line
            """).map { row in
            let (line, feeType, code, name, kind, gross, discount, net, reason, quantity, rate, credited, stateShare) =
                try row.decode((Int, Int64, String, String, String, Money, Money, Money, String?, Int?, Money?, Int?, Money).self)
            let days = quantity.flatMap { billed in rate.map { DayCount(billed: billed, rate: $0, credited: credited ?? 0) } }
            return InvoiceLine(line: line, feeTypeID: feeType, feeCode: code, feeName: name, feeKind: FeeKind(rawValue: kind) ?? .tuition,
                               gross: gross, discount: discount, net: net, discountReason: reason, days: days, stateShare: stateShare)
        }
    }

    /// The columns of `selectSQL`, which `decode` reads by position.
    static let columnCount = 21

    /// Invoices with their ledger facts as columns: `outstanding`, `reversed` and the derived `status`.
    static let selectSQL = select(balances: LedgerReads.dimensionBalanceJoin(
        as: "d", school: "i.school_id", account: "i.receivable_account_id", dimension: .invoice, id: "i.invoice_id"))

    /// `selectSQL` for a handful of invoices (one pupil's): each balance is probed by its primary key (see
    /// `LedgerReads.dimensionBalanceProbe`).
    static let selectFewSQL = select(balances: LedgerReads.dimensionBalanceProbe(
        as: "d", school: "i.school_id", account: "i.receivable_account_id", dimension: .invoice, id: "i.invoice_id"))

    /// The one invoice read; `balances` joins `dimension_balances` as `d`.
    private static func select(balances: String) -> String {
        """
        SELECT invoice_id, school_id, school_year, number, student_id, family_id, period, issued_on, due_date, payment_code,
               student_code, student_name, class_name, gross, discount, total, entry_id, outstanding, reversed, status,
               receivable_account_id
        FROM (SELECT i.*, coalesce(d.balance, 0) AS outstanding, (r.entry_id IS NOT NULL) AS reversed
              FROM invoices i
              \(balances)
              \(LedgerReads.reversalJoin(as: "r", school: "i.school_id", entry: "i.entry_id"))) AS facts,
             LATERAL (SELECT \(InvoiceStatus.sqlExpression) AS status) AS derived
        """
    }

    static func decode(_ row: PostgresRow) throws -> Invoice {
        func column<T: PostgresDecodable>(_ index: Int) throws -> T { try row.decode(column: index, as: T.self) }
        let total: Money = try column(15), outstanding: Money = try column(17)
        let statusText: String = try column(19)
        guard let status = InvoiceStatus(rawValue: statusText) else {
            throw PostgresError(code: .decoding, serverMessage: "invoice status \(statusText) is not one of InvoiceStatus")
        }
        return Invoice(id: try column(0), schoolID: try column(1), number: InvoiceNumber(schoolYear: try column(2), sequence: try column(3)),
                       studentID: try column(4), familyID: try column(5), period: try column(6), issuedOn: try column(7),
                       dueDate: try column(8), paymentCode: try column(9), studentCode: try column(10), studentName: try column(11),
                       className: try column(12), gross: try column(13), discount: try column(14), total: total, entryID: try column(16),
                       outstanding: outstanding, status: status, lines: [], receivableAccountID: try column(20))
    }
}
