import Billing
import Core
import Ledger
import Postgres

/// One page of a school's students by student code, filtered by class and status. `Students.list` returns a
/// whole school at once; a page is one bounded query instead.
enum BillingStudentListing {
    enum Status: String, CaseIterable {
        case active
        case withdrawn
    }

    static func page(school: School, className: String?, status: Status?, page: BillingPage,
                     on connection: PostgresConnection) throws -> StudentList {
        let rows = try connection.query("""
            SELECT s.student_code, s.full_name, s.date_of_birth, s.class_name, s.grade, s.category, s.guardian_name, s.guardian_phone,
                   f.family_key, s.virtual_account, s.withdrawn_on, s.payment_code
            FROM students s LEFT JOIN families f ON f.school_id = s.school_id AND f.family_id = s.family_id
            WHERE s.school_id = \(school.id)
              AND (\(className)::text IS NULL OR s.class_name = \(className))
              AND (\(status?.rawValue)::text IS NULL OR s.status = \(status?.rawValue))
              AND (\(page.after)::text IS NULL OR s.student_code > \(page.after))
            ORDER BY s.student_code
            LIMIT \(page.limit + 1)
            """).map { row -> StudentView in
            let (code, name, birth, className, grade, category, guardian, phone, family, account, withdrawn, paymentCode) =
                try row.decode((String, String, CalendarDate?, String, Int, String, String?, String?, String?, String?, CalendarDate?,
                                String).self)
            return StudentView(studentCode: code, fullName: name, dateOfBirth: birth, className: className, grade: grade,
                               category: category, guardianName: guardian, guardianPhone: phone, familyKey: family,
                               virtualAccount: account, status: withdrawn == nil ? Status.active.rawValue : Status.withdrawn.rawValue,
                               withdrawnOn: withdrawn, paymentCode: paymentCode, href: BillingRequest.path(school, "students", code))
        }
        let (items, next) = page.page(rows) { $0.studentCode }
        return StudentList(items: items, nextAfter: next)
    }
}
