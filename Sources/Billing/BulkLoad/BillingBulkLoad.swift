import Core
import Postgres

/// Generated schools written set-based, for the benches only (`tuition reconcile bench`): families, students and
/// invoices with their lines and counters, one statement per table. Billing owns the SQL of its tables, so the bench
/// calls this instead of writing them itself; the rows are taken as given (no roster or issuing rules: the
/// generator already made them consistent), and the invoices' ledger entries are posted by the caller first.
public enum BillingBulkLoad {
    public struct StudentRow: Sendable {
        public var code, fullName, normalizedName, className: String
        public var grade: Int
        public var guardianName, virtualAccount: String?
        public var familyID: Int64?
        public var isActive: Bool
        public var paymentCode: String

        public init(code: String, fullName: String, normalizedName: String, className: String, grade: Int, guardianName: String?,
                    virtualAccount: String?, familyID: Int64?, isActive: Bool, paymentCode: String) {
            (self.code, self.fullName, self.normalizedName, self.className, self.grade) = (code, fullName, normalizedName, className, grade)
            (self.guardianName, self.virtualAccount, self.familyID, self.isActive, self.paymentCode) =
                (guardianName, virtualAccount, familyID, isActive, paymentCode)
        }
    }

    public struct InvoiceRow: Sendable {
        public var id, studentID: Int64
        public var familyID: Int64?
        public var period: CalendarMonth
        public var dueDate: CalendarDate
        public var paymentCode, studentCode, studentName, className: String
        public var total: Money
        public var entryID: Int64

        public init(id: Int64, studentID: Int64, familyID: Int64?, period: CalendarMonth, dueDate: CalendarDate, paymentCode: String,
                    studentCode: String, studentName: String, className: String, total: Money, entryID: Int64) {
            (self.id, self.studentID, self.familyID, self.period, self.dueDate) = (id, studentID, familyID, period, dueDate)
            (self.paymentCode, self.studentCode, self.studentName, self.className, self.total, self.entryID) =
                (paymentCode, studentCode, studentName, className, total, entryID)
        }
    }

    /// One family per key; their ids by key.
    public static func families(schoolID: Int64, keys: [String], on connection: PostgresConnection) throws -> [String: Int64] {
        guard !keys.isEmpty else { return [:] }
        var families: [String: Int64] = [:]
        for row in try connection.query("""
            INSERT INTO families (school_id, family_key) SELECT \(schoolID), k FROM unnest(\(PostgresTextArray(keys))) AS k
            RETURNING family_key, family_id
            """) {
            let (key, id) = try row.decode((String, Int64).self)
            families[key] = id
        }
        return families
    }

    /// The students (payment serials 0, 1, … in order) and the school's student counter; their ids in order.
    public static func students(schoolID: Int64, _ students: [StudentRow], on connection: PostgresConnection) throws -> [Int64] {
        let rows = try connection.query("""
            INSERT INTO students (school_id, student_code, full_name, normalized_name, class_name, grade, guardian_name, family_id,
                                  virtual_account, status, withdrawn_on, payment_code, payment_serial)
            SELECT \(schoolID), u.c, u.n, u.nn, u.cl, u.g::smallint, nullif(u.gn, ''), u.f, nullif(u.va, ''), CASE WHEN u.a::boolean THEN 'active' ELSE 'withdrawn' END,
                   CASE WHEN u.a::boolean THEN NULL ELSE DATE '2026-09-30' END, u.pc, u.s
            FROM unnest(\(PostgresTextArray(students.map(\.code))), \(PostgresTextArray(students.map(\.fullName))),
                        \(PostgresTextArray(students.map(\.normalizedName))), \(PostgresTextArray(students.map(\.className))),
                        \(PostgresInt64Array(students.map { Int64($0.grade) })),
                        \(PostgresTextArray(students.map { $0.guardianName ?? "" })),
                        \(PostgresNullableInt64Array(students.map(\.familyID))),
                        \(PostgresTextArray(students.map { $0.virtualAccount ?? "" })),
                        \(PostgresTextArray(students.map { $0.isActive ? "t" : "f" })),
                        \(PostgresTextArray(students.map(\.paymentCode))), \(PostgresInt64Array(students.indices.map(Int64.init))))
                 AS u(c, n, nn, cl, g, gn, f, va, a, pc, s)
            RETURNING payment_serial, student_id
            """)
        var byIndex: [Int64: Int64] = [:]
        for row in rows {
            let (serial, id) = try row.decode((Int64, Int64).self)
            byIndex[serial] = id
        }
        try connection.query("""
            INSERT INTO billing_counters (school_id, counter, school_year, last_value) VALUES (\(schoolID), 'student_serial', 0, \(Int64(students.count)))
            """)
        return students.indices.map { byIndex[Int64($0)]! }
    }

    /// `count` new invoice ids, for the entries the caller posts before `invoices`.
    public static func invoiceIDs(count: Int, on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("SELECT nextval('invoices_invoice_id_seq') FROM generate_series(1, \(count))")
            .map { try $0.decode(column: 0, as: Int64.self) }
    }

    /// The invoices of one school year, numbered 1, 2, … in order, each with one line of `feeTypeID`, and the
    /// year's invoice counter (numbers stay gapless; the bench database never issues again).
    public static func invoices(schoolID: Int64, schoolYear: Int, receivableAccountID: Int64, feeTypeID: Int64, scheduleID: Int64,
                                _ invoices: [InvoiceRow], on connection: PostgresConnection) throws {
        precondition(invoices.allSatisfy { $0.period.schoolYear == schoolYear }, "bulk invoices are of one school year")
        let ids = invoices.map(\.id)
        try connection.query("""
            INSERT INTO invoices (school_id, invoice_id, school_year, number, student_id, family_id, period, issued_on, due_date,
                                  payment_code, student_code, student_name, class_name, gross, discount, total,
                                  receivable_account_id, entry_id, issued_by)
            SELECT \(schoolID), u.id, \(schoolYear), u.n::int4, u.s, u.f, u.p::date, u.p::date, u.d::date, u.c, u.sc, u.sn, u.cn,
                   u.t, 0, u.t, \(receivableAccountID), u.e, 'bench'
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(invoices.indices.map { Int64($0 + 1) })),
                        \(PostgresInt64Array(invoices.map(\.studentID))), \(PostgresNullableInt64Array(invoices.map(\.familyID))),
                        \(PostgresTextArray(invoices.map(\.period.firstDay.iso))), \(PostgresTextArray(invoices.map(\.dueDate.iso))),
                        \(PostgresTextArray(invoices.map(\.paymentCode))), \(PostgresTextArray(invoices.map(\.studentCode))),
                        \(PostgresTextArray(invoices.map(\.studentName))), \(PostgresTextArray(invoices.map(\.className))),
                        \(PostgresInt64Array(invoices.map(\.total.dong))), \(PostgresInt64Array(invoices.map(\.entryID))))
                 AS u(id, n, s, f, p, d, c, sc, sn, cn, t, e)
            """)
        try connection.query("""
            INSERT INTO invoice_lines (school_id, invoice_id, line, fee_type_id, schedule_id, gross, discount, net)
            SELECT \(schoolID), u.i, 1, \(feeTypeID), \(scheduleID), u.t, 0, u.t
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(invoices.map(\.total.dong)))) AS u(i, t)
            """)
        try connection.query("""
            INSERT INTO billing_counters (school_id, counter, school_year, last_value)
            VALUES (\(schoolID), 'invoice_number', \(schoolYear), \(Int64(invoices.count)))
            """)
    }
}
