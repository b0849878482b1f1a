import Core
import Ledger
import Postgres

/// Students and families of a school. Every function runs inside the caller's transaction.
///
/// A student's standing payment code is made once, from a per-school serial, and never changes:
/// a change of the school's student code or of the name is recorded in `student_changes` and never
/// touches issued invoices (they keep the code, name and class they were issued with).
public enum Students {
    /// Creates one student.
    public static func create(schoolID: Int64, _ details: StudentDetails, changedBy: String,
                              on connection: PostgresConnection) throws(BillingError) -> Student {
        let school = try BillingSchool.load(schoolID, on: connection)
        let clean = try StudentRules.validated(details, level: school.level)
        return try BillingError.wrapping {
            try insert(school: school, [clean], changedBy: changedBy, on: connection)[0]
        }
    }

    /// Replaces a student's details (the code may change too); records every changed field.
    @discardableResult
    public static func update(schoolID: Int64, studentID: Int64, _ details: StudentDetails, changedBy: String,
                              on connection: PostgresConnection) throws(BillingError) -> Student {
        let school = try BillingSchool.load(schoolID, on: connection)
        let clean = try StudentRules.validated(details, level: school.level)
        return try BillingError.wrapping {
            guard let current = try find(schoolID: schoolID, id: studentID, lock: true, on: connection) else {
                throw BillingError.unknownStudent("id \(studentID)")
            }
            try applyUpdates(schoolID: schoolID, [(current, clean)], changedBy: changedBy, on: connection)
            return try find(schoolID: schoolID, id: studentID, on: connection)!
        }
    }

    /// Marks a student withdrawn from `date`: no further invoices. Withdrawing twice is refused.
    /// Per-day items billed in advance are credited back for the days not served (`LeavingCredits`).
    @discardableResult
    public static func withdraw(schoolID: Int64, studentID: Int64, on date: CalendarDate, changedBy: String,
                                on connection: PostgresConnection) throws(BillingError) -> [LeavingCredit] {
        try setStatus(schoolID: schoolID, studentID: studentID, withdrawnOn: date, changedBy: changedBy, on: connection)
        return try BillingError.wrapping {
            guard let student = try find(schoolID: schoolID, id: studentID, on: connection) else { throw BillingError.unknownStudent("id \(studentID)") }
            return try LeavingCredits.grant(schoolID: schoolID, student: student, leavingOn: date, recordedBy: changedBy, on: connection)
        }
    }

    /// Makes a withdrawn student active again.
    public static func reinstate(schoolID: Int64, studentID: Int64, changedBy: String,
                                 on connection: PostgresConnection) throws(BillingError) {
        try setStatus(schoolID: schoolID, studentID: studentID, withdrawnOn: nil, changedBy: changedBy, on: connection)
    }

    public static func find(schoolID: Int64, id: Int64, lock: Bool = false, on connection: PostgresConnection) throws -> Student? {
        let suffix = lock ? " FOR UPDATE OF s" : ""
        return try connection.query("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.student_id = \(id)\(unescaped: suffix)
            """).first.map(decode)
    }

    public static func find(schoolID: Int64, code: String, on connection: PostgresConnection) throws -> Student? {
        try connection.query("\(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.student_code = \(code)").first.map(decode)
    }

    public static func find(schoolID: Int64, paymentCode: String, on connection: PostgresConnection) throws -> Student? {
        try connection.query("\(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.payment_code = \(paymentCode)").first.map(decode)
    }

    public static func find(schoolID: Int64, virtualAccount: String, on connection: PostgresConnection) throws -> Student? {
        try connection.query("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.virtual_account = \(virtualAccount)
            """).first.map(decode)
    }

    /// Every student of the school (active and withdrawn), by class then code.
    public static func list(schoolID: Int64, on connection: PostgresConnection) throws -> [Student] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) ORDER BY s.class_name, s.student_code
            LIMIT \(BillingLimits.studentsPerSchoolMax)
            """).map(decode)
    }

    /// One page of the school's students by code: those after `after`, of one class and/or only active
    /// (`withdrawn` false) or only withdrawn (true); at most `limit` (bounded by `BillingLimits.studentsPerSchoolMax`).
    public static func page(schoolID: Int64, className: String?, withdrawn: Bool?, after: String?, limit: Int,
                            on connection: PostgresConnection) throws -> [Student] {
        let bounded = min(max(limit, 0), BillingLimits.studentsPerSchoolMax)
        let status = withdrawn.map { $0 ? "withdrawn" : "active" }
        return try connection.query("""
            \(unescaped: selectSQL)
            WHERE s.school_id = \(schoolID)
              AND (\(className)::text IS NULL OR s.class_name = \(className))
              AND (\(status)::text IS NULL OR s.status = \(status))
              AND (\(after)::text IS NULL OR s.student_code > \(after))
            ORDER BY s.student_code
            LIMIT \(bounded)
            """).map(decode)
    }

    /// The students with these ids (those that exist in the school), by id.
    public static func list(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [Student] {
        try sendList(schoolID: schoolID, ids: ids, on: connection).get()
    }

    /// `list(schoolID:ids:)` sent now and read later (`PostgresConnection.send`).
    public static func sendList(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> PostgresPending<[Student]> {
        guard !ids.isEmpty else { return PostgresPending(value: []) }
        return try connection.send("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.student_id = ANY(\(PostgresInt64Array(Array(Set(ids)))))
            ORDER BY s.student_id
            """) { try $0.map(decode) }
    }

    /// The students with these codes (those that exist in the school), by code, sent now and read later
    /// (`PostgresConnection.send`): one statement for a batch of payments that name pupils by code.
    public static func sendList(schoolID: Int64, codes: [String], on connection: PostgresConnection) throws -> PostgresPending<[Student]> {
        guard !codes.isEmpty else { return PostgresPending(value: []) }
        return try connection.send("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.student_code = ANY(\(PostgresTextArray(Array(Set(codes)))))
            ORDER BY s.student_code
            """) { try $0.map(decode) }
    }

    /// `student_id` is one of those `selected` (a fragment selecting `student_id`: `withCodes`, `reached`). The
    /// ids are gathered into an array first, so that even a generic plan reaches a table by its student index:
    /// as a semi-join it read every invoice of the school and kept the selected pupils' (12 ms a batch at
    /// 2,000 invoices, instead of ~0.05).
    static func studentIDIn(_ selected: PostgresFragment) -> PostgresFragment {
        "student_id = ANY(ARRAY(\(selected)))"
    }

    /// The ids of the students with these codes: a fragment for the statements that lock and read their
    /// invoices in the same round trip as `sendList(schoolID:codes:)`.
    public static func withCodes(schoolID: Int64, codes: [String]) -> PostgresFragment {
        "SELECT student_id FROM students WHERE school_id = \(schoolID) AND student_code = ANY(\(PostgresTextArray(Array(Set(codes)))))"
    }

    /// The first student (lowest id) of each of these families, in one statement: who holds a family's credit
    /// on a receipt.
    public static func firstOfFamilies(schoolID: Int64, familyIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: Int64] {
        guard !familyIDs.isEmpty else { return [:] }
        return try IDMaps.read("""
            SELECT family_id, min(student_id) FROM students WHERE school_id = \(schoolID) AND family_id = ANY(\(PostgresInt64Array(familyIDs)))
            GROUP BY family_id
            """, on: connection)
    }

    /// The students a transfer can name for certain, with everyone of their families (one transfer may name
    /// one child and pay for the family): those whose payment code, or whose invoice's payment code, is one
    /// of `paymentCodes`, and those whose virtual account is one of `virtualAccounts`. A fragment selecting
    /// `student_id`: the one statement of this rule, read as ids by a matcher (`reachable`) and used in place by
    /// a statement import that locks their invoices (`PaymentBatch.lockInvoices(ofStudentsIn:)`).
    public static func reached(schoolID: Int64, paymentCodes: [String], virtualAccounts: [String]) -> PostgresFragment {
        let codes = PostgresTextArray(paymentCodes)
        let accounts = PostgresTextArray(virtualAccounts)
        return """
            WITH named AS (
                SELECT student_id, family_id FROM students WHERE school_id = \(schoolID) AND payment_code = ANY(\(codes))
                UNION SELECT s.student_id, s.family_id FROM invoices i JOIN students s ON s.school_id = i.school_id AND s.student_id = i.student_id
                      WHERE i.school_id = \(schoolID) AND i.payment_code = ANY(\(codes))
                UNION SELECT student_id, family_id FROM students WHERE school_id = \(schoolID) AND virtual_account = ANY(\(accounts))
            )
            SELECT student_id FROM named
            UNION SELECT s.student_id FROM students s JOIN named n ON n.family_id IS NOT NULL AND s.family_id = n.family_id
                  WHERE s.school_id = \(schoolID)
            """
    }

    /// The ids `reached` selects, in one statement.
    public static func reachable(schoolID: Int64, paymentCodes: [String], virtualAccounts: [String],
                                 on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("\(reached(schoolID: schoolID, paymentCodes: paymentCodes, virtualAccounts: virtualAccounts))")
            .map { try $0.decode(column: 0, as: Int64.self) }
    }

    /// Which of `candidates` are virtual accounts of the school's students.
    public static func virtualAccounts(schoolID: Int64, among candidates: [String], on connection: PostgresConnection) throws -> Set<String> {
        guard !candidates.isEmpty else { return [] }
        return Set(try connection.query("""
            SELECT DISTINCT virtual_account FROM students
            WHERE school_id = \(schoolID) AND virtual_account = ANY(\(PostgresTextArray(Array(Set(candidates)))))
            """).map { try $0.decode(column: 0, as: String.self) })
    }

    /// The students of a family (siblings), by code.
    public static func siblings(schoolID: Int64, familyID: Int64, on connection: PostgresConnection) throws -> [Student] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE s.school_id = \(schoolID) AND s.family_id = \(familyID) ORDER BY s.student_code
            """).map(decode)
    }

    /// The recorded changes of a student, oldest first.
    public static func history(schoolID: Int64, studentID: Int64, on connection: PostgresConnection) throws -> [StudentChange] {
        try connection.query("""
            SELECT field, old_value, new_value, changed_by FROM student_changes
            WHERE school_id = \(schoolID) AND student_id = \(studentID) ORDER BY change_id
            """).map { row in
            let (field, old, new, by) = try row.decode((String, String?, String?, String).self)
            return StudentChange(change: StudentFieldChange(field: field, oldValue: old, newValue: new), changedBy: by)
        }
    }

    // MARK: - Batch writes shared with the roster import

    /// Inserts validated students, making their families and standing payment codes.
    static func insert(school: School, _ students: [StudentDetails], changedBy: String,
                       on connection: PostgresConnection) throws -> [Student] {
        guard !students.isEmpty else { return [] }
        let families = try resolveFamilies(schoolID: school.id, keys: students.compactMap(\.familyKey), on: connection)
        let firstSerial = try BillingCounter.reserve(.studentSerial, schoolID: school.id, schoolYear: 0, count: students.count, on: connection)
        var codes: [String] = [], serials: [Int64] = []
        for index in students.indices {
            let serial = firstSerial + Int64(index)
            codes.append(try PaymentCode(prefix: school.paymentCodePrefix, kind: .student, serial: UInt64(serial)).text)
            serials.append(serial)
        }
        let rows = try catchingDuplicates {
            try connection.query("""
                INSERT INTO students (school_id, student_code, full_name, normalized_name, date_of_birth, class_name, grade, category,
                                      guardian_name, guardian_phone, family_id, virtual_account, payment_code, payment_serial)
                SELECT \(school.id), u.c, u.n, u.nn, u.d::date, u.k, u.g::smallint, u.cat, u.gn, u.gp, u.f, u.va, u.pc, u.ps
                FROM unnest(\(PostgresTextArray(students.map(\.code))), \(PostgresTextArray(students.map(\.fullName))),
                            \(PostgresTextArray(students.map { VietnameseText.normalized($0.fullName) })),
                            \(PostgresNullableTextArray(students.map { $0.dateOfBirth?.iso })), \(PostgresTextArray(students.map(\.className))),
                            \(PostgresInt64Array(students.map { Int64($0.grade) })), \(PostgresTextArray(students.map(\.category))),
                            \(PostgresNullableTextArray(students.map(\.guardianName))), \(PostgresNullableTextArray(students.map(\.guardianPhone))),
                            \(PostgresNullableInt64Array(students.map { $0.familyKey.flatMap { families[$0] } })),
                            \(PostgresNullableTextArray(students.map(\.virtualAccount))),
                            \(PostgresTextArray(codes)), \(PostgresInt64Array(serials)))
                     WITH ORDINALITY AS u(c, n, nn, d, k, g, cat, gn, gp, f, va, pc, ps, o)
                ORDER BY u.o
                RETURNING student_code, student_id
                """)
        }
        var ids: [String: Int64] = [:]
        for row in rows {
            let (code, id) = try row.decode((String, Int64).self)
            ids[code] = id
        }
        return zip(students, codes).map { details, paymentCode in
            Student(id: ids[details.code]!, schoolID: school.id, details: details, normalizedName: VietnameseText.normalized(details.fullName),
                    familyID: details.familyKey.flatMap { families[$0] }, status: .active, paymentCode: paymentCode)
        }
    }

    /// Writes new details over current ones and one history row per changed field.
    static func applyUpdates(schoolID: Int64, _ updates: [(current: Student, new: StudentDetails)], changedBy: String,
                             on connection: PostgresConnection) throws {
        let changed = updates.filter { !$0.new.changes(from: $0.current.details).isEmpty }
        guard !changed.isEmpty else { return }
        let families = try resolveFamilies(schoolID: schoolID, keys: changed.compactMap(\.new.familyKey), on: connection)
        let news = changed.map(\.new)
        try catchingDuplicates {
            try connection.query("""
                UPDATE students s SET student_code = u.c, full_name = u.n, normalized_name = u.nn, date_of_birth = u.d::date,
                    class_name = u.k, grade = u.g::smallint, category = u.cat, guardian_name = u.gn, guardian_phone = u.gp,
                    family_id = u.f, virtual_account = u.va, updated_at = now()
                FROM unnest(\(PostgresInt64Array(changed.map(\.current.id))), \(PostgresTextArray(news.map(\.code))),
                            \(PostgresTextArray(news.map(\.fullName))), \(PostgresTextArray(news.map { VietnameseText.normalized($0.fullName) })),
                            \(PostgresNullableTextArray(news.map { $0.dateOfBirth?.iso })), \(PostgresTextArray(news.map(\.className))),
                            \(PostgresInt64Array(news.map { Int64($0.grade) })), \(PostgresTextArray(news.map(\.category))),
                            \(PostgresNullableTextArray(news.map(\.guardianName))), \(PostgresNullableTextArray(news.map(\.guardianPhone))),
                            \(PostgresNullableInt64Array(news.map { $0.familyKey.flatMap { families[$0] } })),
                            \(PostgresNullableTextArray(news.map(\.virtualAccount))))
                     AS u(id, c, n, nn, d, k, g, cat, gn, gp, f, va)
                WHERE s.school_id = \(schoolID) AND s.student_id = u.id
                """)
        }
        var ids: [Int64] = [], fields: [String] = [], olds: [String?] = [], newValues: [String?] = []
        for update in changed {
            for change in update.new.changes(from: update.current.details) {
                ids.append(update.current.id)
                fields.append(change.field)
                olds.append(change.oldValue)
                newValues.append(change.newValue)
            }
        }
        try recordChanges(schoolID: schoolID, ids: ids, fields: fields, olds: olds, news: newValues, changedBy: changedBy, on: connection)
    }

    static func recordChanges(schoolID: Int64, ids: [Int64], fields: [String], olds: [String?], news: [String?], changedBy: String,
                              on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO student_changes (school_id, student_id, field, old_value, new_value, changed_by)
            SELECT \(schoolID), u.id, u.f, u.o, u.n, \(changedBy)
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresTextArray(fields)), \(PostgresNullableTextArray(olds)), \(PostgresNullableTextArray(news)))
                 AS u(id, f, o, n)
            """)
    }

    /// The family id of every key, creating the families that do not exist yet.
    static func resolveFamilies(schoolID: Int64, keys: [String], on connection: PostgresConnection) throws -> [String: Int64] {
        let unique = Array(Set(keys)).sorted()
        guard !unique.isEmpty else { return [:] }
        try connection.query("""
            INSERT INTO families (school_id, family_key) SELECT \(schoolID), k FROM unnest(\(PostgresTextArray(unique))) AS k
            ORDER BY k ON CONFLICT (school_id, family_key) DO NOTHING
            """)
        var ids: [String: Int64] = [:]
        for row in try connection.query("""
            SELECT family_key, family_id FROM families WHERE school_id = \(schoolID) AND family_key = ANY(\(PostgresTextArray(unique)))
            """) {
            let (key, id) = try row.decode((String, Int64).self)
            ids[key] = id
        }
        return ids
    }

    private static func setStatus(schoolID: Int64, studentID: Int64, withdrawnOn: CalendarDate?, changedBy: String,
                                  on connection: PostgresConnection) throws(BillingError) {
        try BillingError.wrapping {
            guard let student = try find(schoolID: schoolID, id: studentID, lock: true, on: connection) else {
                throw BillingError.unknownStudent("id \(studentID)")
            }
            let wanted: StudentStatus = withdrawnOn.map { .withdrawn(on: $0) } ?? .active
            guard student.status.isActive != wanted.isActive else {
                throw BillingError.invalidField(field: "status", problem: "student \(student.code) is already \(wanted.isActive ? "active" : "withdrawn")")
            }
            try connection.query("""
                UPDATE students SET status = \(wanted.isActive ? "active" : "withdrawn"), withdrawn_on = \(withdrawnOn), updated_at = now()
                WHERE school_id = \(schoolID) AND student_id = \(studentID)
                """)
            let describe: (StudentStatus) -> String = { status in
                if case .withdrawn(let date) = status { return "withdrawn \(date.iso)" }
                return "active"
            }
            try recordChanges(schoolID: schoolID, ids: [studentID], fields: ["status"], olds: [describe(student.status)],
                              news: [describe(wanted)], changedBy: changedBy, on: connection)
        }
    }

    /// Turns a unique violation into a refusal naming the duplicated value's field.
    @discardableResult
    static func catchingDuplicates<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            let constraint = error.constraintName ?? ""
            if constraint.contains("virtual_account") { throw BillingError.duplicate("a student with this virtual account") }
            if constraint.contains("student_code") { throw BillingError.duplicate("a student with this student code") }
            throw BillingError.duplicate("a student with these details")
        }
    }

    static let selectSQL = """
        SELECT s.student_id, s.school_id, s.student_code, s.full_name, s.normalized_name, s.date_of_birth, s.class_name, s.grade,
               s.category, s.guardian_name, s.guardian_phone, s.family_id, f.family_key, s.virtual_account, s.withdrawn_on, s.payment_code
        FROM students s LEFT JOIN families f ON f.school_id = s.school_id AND f.family_id = s.family_id
        """

    static func decode(_ row: PostgresRow) throws -> Student {
        let (id, school, code, name, normalized, birth, className, grade, category, guardian, phone, familyID, familyKey,
             account, withdrawn, paymentCode) = try row.decode((Int64, Int64, String, String, String, CalendarDate?, String, Int, String,
                                                                String?, String?, Int64?, String?, String?, CalendarDate?, String).self)
        let details = StudentDetails(code: code, fullName: name, dateOfBirth: birth, className: className, grade: grade, category: category,
                                     guardianName: guardian, guardianPhone: phone, familyKey: familyKey, virtualAccount: account)
        return Student(id: id, schoolID: school, details: details, normalizedName: normalized, familyID: familyID,
                       status: withdrawn.map { .withdrawn(on: $0) } ?? .active, paymentCode: paymentCode)
    }
}

/// The school a billing operation works on.
enum BillingSchool {
    static func load(_ schoolID: Int64, on connection: PostgresConnection) throws(BillingError) -> School {
        let school = try BillingError.wrapping { try Schools.find(id: schoolID, on: connection) }
        guard let school else { throw .unknownSchool("with id \(schoolID)") }
        return school
    }
}
