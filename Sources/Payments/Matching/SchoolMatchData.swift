import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// Builds the matcher's view of a school from the database: its students and their open invoices.
///
/// `full` loads the whole school (the monthly run, the suspense queue, a statement import);
/// `targeted` loads only what a single transaction can name for certain — the students and
/// invoices of the valid payment codes in its memo, the student of its virtual account, and those
/// students' and their siblings' open invoices — so real-time matching costs a few index reads.
public enum SchoolMatchData {
    /// The most students a full load takes (a school is far smaller).
    public static let studentsMax = 20_000

    public static func full(school: School, on connection: PostgresConnection) throws -> MatchContext {
        let students = try Students.list(schoolID: school.id, on: connection)
        let invoices = try InvoiceQueries.unpaid(schoolID: school.id, studentIDs: nil, on: connection)
        return try context(school: school, students: students, invoices: invoices, on: connection)
    }

    public static func targeted(school: School, transaction: MatchTransaction, on connection: PostgresConnection) throws -> MatchContext {
        let finder = try PaymentCodeFinder(prefix: school.paymentCodePrefix)
        let texts = [transaction.memo, transaction.payerName ?? ""].map(VietnameseText.normalized)
        let codes = Set(texts.flatMap { finder.candidates(inNormalizedMemo: $0) }.filter(\.isValid).map(\.text))
        var studentIDs = Set<Int64>()
        if !codes.isEmpty {
            for row in try connection.query("""
                SELECT student_id FROM students WHERE school_id = \(school.id) AND payment_code = ANY(\(PostgresTextArray(Array(codes))))
                UNION SELECT student_id FROM invoices WHERE school_id = \(school.id) AND payment_code = ANY(\(PostgresTextArray(Array(codes))))
                """) { studentIDs.insert(try row.decode(column: 0, as: Int64.self)) }
        }
        if let account = transaction.virtualAccount.map(MatchContext.normalizedAccount), !account.isEmpty {
            for row in try connection.query("""
                SELECT student_id FROM students WHERE school_id = \(school.id) AND upper(virtual_account) = \(account)
                """) { studentIDs.insert(try row.decode(column: 0, as: Int64.self)) }
        }
        guard !studentIDs.isEmpty else { return try MatchContext(prefix: school.paymentCodePrefix, students: [], invoices: []) }
        // Siblings come along: one transfer may name one child and pay for the family.
        var students: [Student] = []
        for row in try connection.query("""
            SELECT DISTINCT s.student_id FROM students s
            WHERE s.school_id = \(school.id) AND (s.student_id = ANY(\(PostgresInt64Array(Array(studentIDs))))
               OR s.family_id IN (SELECT family_id FROM students WHERE school_id = \(school.id)
                                  AND student_id = ANY(\(PostgresInt64Array(Array(studentIDs)))) AND family_id IS NOT NULL))
            ORDER BY 1
            """) {
            if let student = try Students.find(schoolID: school.id, id: try row.decode(column: 0, as: Int64.self), on: connection) {
                students.append(student)
            }
        }
        let invoices = try InvoiceQueries.unpaid(schoolID: school.id, studentIDs: students.map(\.id), on: connection)
        return try context(school: school, students: students, invoices: invoices, on: connection)
    }

    static func context(school: School, students: [Student], invoices: [Invoice], on connection: PostgresConnection) throws -> MatchContext {
        precondition(students.count <= studentsMax, "a school larger than \(studentsMax) students")
        let matchStudents = students.map { student in
            MatchStudent(id: student.id, paymentCode: student.paymentCode, fullName: student.fullName, className: student.className,
                         familyKey: student.familyID.map { "family-\($0)" }, guardianName: student.details.guardianName,
                         virtualAccount: student.virtualAccount, isActive: student.status.isActive)
        }
        let known = Set(students.map(\.id))
        let matchInvoices = invoices.filter { known.contains($0.studentID) && $0.outstanding.isPositive }.map { invoice in
            MatchInvoice(id: invoice.id, studentId: invoice.studentID, paymentCode: invoice.paymentCode, period: invoice.period,
                         dueDate: invoice.dueDate, total: invoice.total, outstanding: invoice.outstanding)
        }
        return try MatchContext(prefix: school.paymentCodePrefix, students: matchStudents, invoices: matchInvoices)
    }
}
