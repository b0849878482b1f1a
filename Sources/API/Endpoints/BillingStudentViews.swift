import Billing
import Core
import Ledger

/// A student as the API shows them.
struct StudentView: Codable, APIExample {
    var studentCode: String
    var fullName: String
    var dateOfBirth: CalendarDate?
    var className: String
    var grade: Int
    var category: String
    var guardianName: String?
    var guardianPhone: String?
    var familyKey: String?
    var virtualAccount: String?
    /// `active` or `withdrawn`.
    var status: String
    var withdrawnOn: CalendarDate?
    /// The standing payment code (never changes): the memo of the student's static VietQR code.
    var paymentCode: String
    var href: String

    static let example = StudentView(
        studentCode: "HS2026001", fullName: "Nguyễn Văn An", dateOfBirth: try? CalendarDate(iso: "2019-03-02"), className: "1A1",
        grade: 1, category: "standard", guardianName: "Nguyễn Văn Bình", guardianPhone: "0912345678", familyKey: "GD-017",
        virtualAccount: "V2MSHS2026001", status: "withdrawn", withdrawnOn: try? CalendarDate(iso: "2027-01-15"),
        paymentCode: "HPK3M9QX", href: "/v1/schools/TH-BADINH/students/HS2026001")

    init(studentCode: String, fullName: String, dateOfBirth: CalendarDate?, className: String, grade: Int, category: String,
         guardianName: String?, guardianPhone: String?, familyKey: String?, virtualAccount: String?, status: String,
         withdrawnOn: CalendarDate?, paymentCode: String, href: String) {
        self.studentCode = studentCode
        self.fullName = fullName
        self.dateOfBirth = dateOfBirth
        self.className = className
        self.grade = grade
        self.category = category
        self.guardianName = guardianName
        self.guardianPhone = guardianPhone
        self.familyKey = familyKey
        self.virtualAccount = virtualAccount
        self.status = status
        self.withdrawnOn = withdrawnOn
        self.paymentCode = paymentCode
        self.href = href
    }

    init(_ student: Student, school: School) {
        var withdrawnOn: CalendarDate?
        if case .withdrawn(let date) = student.status { withdrawnOn = date }
        self.init(studentCode: student.code, fullName: student.fullName, dateOfBirth: student.details.dateOfBirth,
                  className: student.className, grade: student.grade, category: student.category,
                  guardianName: student.details.guardianName, guardianPhone: student.details.guardianPhone,
                  familyKey: student.familyKey, virtualAccount: student.virtualAccount,
                  status: withdrawnOn == nil ? "active" : "withdrawn", withdrawnOn: withdrawnOn, paymentCode: student.paymentCode,
                  href: BillingRequest.path(school, "students", student.code))
    }
}

struct StudentList: Codable, APIExample {
    var items: [StudentView]
    /// The `after` of the next page; absent on the last page.
    var nextAfter: String?
    static let example = StudentList(items: [StudentView.example], nextAfter: "HS2026001")
}

/// A student to create, or the full replacement of one (`PUT`): absent optional fields are cleared.
struct StudentRequest: Codable, APIExample {
    var studentCode: String
    var fullName: String
    var dateOfBirth: CalendarDate?
    var className: String
    var grade: Int
    /// `standard` when absent.
    var category: String?
    var guardianName: String?
    var guardianPhone: String?
    var familyKey: String?
    var virtualAccount: String?

    static let example = StudentRequest(
        studentCode: "HS2026001", fullName: "Nguyễn Văn An", dateOfBirth: try? CalendarDate(iso: "2019-03-02"), className: "1A1",
        grade: 1, category: "poor_household", guardianName: "Nguyễn Văn Bình", guardianPhone: "0912 345 678", familyKey: "GD-017",
        virtualAccount: "V2MSHS2026001")

    var details: StudentDetails {
        StudentDetails(code: studentCode, fullName: fullName, dateOfBirth: dateOfBirth, className: className, grade: grade,
                       category: category ?? StudentDetails.standardCategory, guardianName: guardianName, guardianPhone: guardianPhone,
                       familyKey: familyKey, virtualAccount: virtualAccount)
    }
}

/// The body may be left out (the route withdraws today), as the document says.
extension WithdrawRequest: APIRequestBody {
    static var bodyOptional: Bool { true }
}

struct WithdrawRequest: Codable, APIExample {
    /// The last day at school; today (Vietnam time) when absent.
    var withdrawnOn: CalendarDate?
    static let example = WithdrawRequest(withdrawnOn: try? CalendarDate(iso: "2027-01-15"))
}

/// What a roster import did or, on a dry run, would do.
struct RosterImportView: Codable, APIExample {
    struct Row: Codable {
        var line: Int
        var studentCode: String
        /// Empty for new students.
        var changes: [Change]
    }

    struct Change: Codable {
        var field: String
        var oldValue: String?
        var newValue: String?
    }

    var created: [Row]
    var updated: [Row]
    var unchanged: Int
    /// Active students of the school the file does not list; they are left as they are (withdrawal is explicit).
    var notInFile: Int
    var ignoredColumns: [String]
    var dryRun: Bool
    /// "2 new, 1 updated, 40 unchanged".
    var summary: String

    static let example = RosterImportView(
        created: [Row(line: 2, studentCode: "HS2026001", changes: [])],
        updated: [Row(line: 3, studentCode: "HS2026002", changes: [Change(field: "class", oldValue: "1A1", newValue: "1A2")])],
        unchanged: 40, notInFile: 1, ignoredColumns: ["STT"], dryRun: true, summary: "1 new, 1 updated, 40 unchanged (dry run: nothing written)")

    init(created: [Row], updated: [Row], unchanged: Int, notInFile: Int, ignoredColumns: [String], dryRun: Bool, summary: String) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.notInFile = notInFile
        self.ignoredColumns = ignoredColumns
        self.dryRun = dryRun
        self.summary = summary
    }

    init(_ report: RosterImportReport) {
        self.init(
            created: report.created.map { Row(line: $0.line, studentCode: $0.studentCode, changes: []) },
            updated: report.updated.map { row in
                Row(line: row.line, studentCode: row.studentCode,
                    changes: row.changes.map { Change(field: $0.field, oldValue: $0.oldValue, newValue: $0.newValue) })
            },
            unchanged: report.unchanged, notInFile: report.notInFile, ignoredColumns: report.ignoredColumns, dryRun: report.dryRun,
            summary: report.summary)
    }
}

/// The 422 of a roster with bad rows: an RFC 9457 problem document with every problem by line and field.
struct RosterProblemDocument: Encodable {
    struct Problem: Encodable {
        var line: Int
        var field: String
        var problem: String
    }

    var type = "about:blank"
    var title = "Unprocessable Content"
    var status = 422
    var code = "roster_rows_invalid"
    var detail: String
    var requestId: String
    /// At most `RosterImport.problemsReportedMax`, by line then field.
    var problems: [Problem]
    var problemsTotal: Int
}

/// What `StudentRules.problems` checks, on the text before cleaning (`StudentRules`' patterns). The grade is any grade
/// of some level here; one outside the school's own level is the school's state, answered 409 (`checkState`).
extension StudentRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        let grades = SchoolLevel.allCases.map(\.grades)
        return [
            "student_code": .patterned(pattern: StudentRules.codePattern),
            "full_name": .text(pattern: StudentRules.fullNamePattern, minLength: 1, maxLength: BillingLimits.nameCharactersMax),
            "date_of_birth": .patterned(pattern: StudentRules.birthDatePattern),
            "class_name": .text(pattern: StudentRules.classPattern, minLength: 1, maxLength: StudentRules.classCharactersMax),
            "grade": .integerRange(Int64(grades.map(\.lowerBound).min() ?? 0)...Int64(grades.map(\.upperBound).max() ?? 0)),
            "category": .patterned(pattern: StudentRules.categoryPattern),
            "guardian_name": .text(pattern: StudentRules.optionalTextPattern, minLength: 0, maxLength: BillingLimits.nameCharactersMax),
            "guardian_phone": .patterned(pattern: StudentRules.phonePattern),
            "family_key": .text(pattern: StudentRules.optionalTextPattern, minLength: 0, maxLength: StudentRules.familyKeyCharactersMax),
            "virtual_account": .patterned(pattern: StudentRules.virtualAccountPattern),
        ]
    }

    /// 409 for a grade the school's level does not teach (the body is well formed, the school is of another level) or a
    /// date of birth after today (the document bounds its year; the clock decides the day).
    func checkState(school: School) throws {
        if StudentRules.isAfterToday(birth: dateOfBirth, today: VietnamTime.today) {
            throw APIError.conflict("date_of_birth_after_today", "date_of_birth: \(dateOfBirth?.iso ?? "") is after today")
        }
        guard school.level.grades.contains(grade) else {
            throw APIError.conflict("grade_not_taught", "grade: \(grade) is not a grade of a \(school.level.rawValue) school "
                                    + "(\(school.level.grades.lowerBound)–\(school.level.grades.upperBound))")
        }
    }
}
