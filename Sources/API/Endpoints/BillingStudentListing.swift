import Billing
import Core
import Ledger
import Postgres

/// One page of a school's students by student code, filtered by class and status: Billing reads the page
/// (`Students.page`); this turns the rows into views.
enum BillingStudentListing {
    enum Status: String, CaseIterable {
        case active
        case withdrawn
    }

    static func page(school: School, className: String?, status: Status?, page: BillingPage,
                     on connection: PostgresConnection) throws -> StudentList {
        let students = try Students.page(schoolID: school.id, className: className, withdrawn: status.map { $0 == .withdrawn },
                                         after: page.after, limit: page.limit + 1, on: connection)
        let (items, next) = page.page(students.map { StudentView($0, school: school) }) { $0.studentCode }
        return StudentList(items: items, nextAfter: next)
    }
}
