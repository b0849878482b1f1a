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
        return try context(school: school, students: students, invoices: invoices)
    }

    /// What any of `transactions` can name for certain: their valid codes' and virtual accounts'
    /// students, with siblings, and those students' open invoices — in two round trips whatever the count —
    /// with the students and invoices read (a payment batch applying the decisions need not read them
    /// again). Those students' invoices are locked (ascending id) before they are read, until the caller's
    /// transaction ends.
    static func targeted(school: School, transactions: [MatchTransaction],
                         on connection: PostgresConnection) throws -> (context: MatchContext, students: [Student], invoices: [Invoice]) {
        let finder = try PaymentCodeFinder(prefix: school.paymentCodePrefix)
        var codes = Set<String>()
        var accounts = Set<String>()
        for transaction in transactions {
            for text in [transaction.memo, transaction.payerName ?? ""] {
                codes.formUnion(finder.candidates(inNormalizedMemo: VietnameseText.normalized(text)).filter(\.isValid).map(\.text))
            }
            if let account = transaction.virtualAccount.map(MatchContext.normalizedAccount), !account.isEmpty { accounts.insert(account) }
        }
        guard !codes.isEmpty || !accounts.isEmpty else {
            return (try MatchContext(prefix: school.paymentCodePrefix, students: [], invoices: []), [], [])
        }
        // The named students, then everyone of their families: one transfer may name one child and pay for the family.
        let ids = try Students.reachable(schoolID: school.id, paymentCodes: codes.sorted(), virtualAccounts: accounts.sorted(), on: connection)
        // The students and their invoices in one round trip: both are read by the reached ids (an id with no
        // student row has no invoice either, and `context` keeps only invoices of students read).
        let students = try Students.sendList(schoolID: school.id, ids: ids, on: connection)
        // Their invoices locked before they are read: what another batch of the school in flight is paying is
        // decided on once that batch committed (docs/callbacks.md §6, seventh round), as if the lane ran one
        // batch at a time. The lock travels in the same round trip, run first.
        try PaymentBatch.lockInvoices(schoolID: school.id, ofStudents: ids, on: connection)
        let invoices = try InvoiceQueries.sendUnpaid(schoolID: school.id, studentIDs: Array(Set(ids)).sorted(), on: connection)
        let read = try students.get()
        let owing = try invoices.get()
        return (try context(school: school, students: read, invoices: owing), read, owing)
    }

    static func context(school: School, students: [Student], invoices: [Invoice]) throws -> MatchContext {
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
