import Core
import Ledger
import Postgres

/// Loads what issuing needs in a few bounded queries (one per kind of fact, not one per student).
enum IssueContextLoader {
    static func load(school: School, periods: [CalendarMonth], studentIDs: [Int64]?, on connection: PostgresConnection) throws -> IssueContext {
        guard let receivable = try LedgerQueries.account(schoolID: school.id, purpose: .receivable, on: connection),
              let discounts = try LedgerQueries.account(schoolID: school.id, purpose: .discounts, on: connection) else {
            throw BillingError.accountMismatch("school \(school.code) has no active receivable or discounts account")
        }
        let feeTypes = Dictionary(uniqueKeysWithValues: try FeeTypes.list(schoolID: school.id, on: connection).map { ($0.id, $0) })
        var schedules: [Int: [FeeSchedule]] = [:]
        for year in Set(periods.map(\.schoolYear)) {
            schedules[year] = try FeeSchedules.list(schoolID: school.id, schoolYear: year, on: connection)
            // A schedule recorded before the regime check existed must not bill a public school's pupils tuition.
            let tuition = schedules[year]!.contains { feeTypes[$0.feeTypeID]?.kind == .tuition && $0.monthlyAmount.isPositive }
            if tuition && !TuitionRegime.billsTuition(school.ownership, schoolYear: year) { throw BillingError.tuitionFreeAtPublicSchool(schoolYear: year) }
        }
        let students = try activeStudents(schoolID: school.id, only: studentIDs, on: connection)
        var context = IssueContext(school: school, receivableAccountID: receivable.accountID, discountsAccountID: discounts.accountID,
                                   feeTypes: feeTypes, schedules: schedules, students: students, discounts: [:], issued: [],
                                   voided: [:], tuitionMonths: [:])
        let first = periods.min()!, last = periods.max()!
        for discount in try Discounts.list(schoolID: school.id, on: connection)
        where discount.validFrom <= last && (discount.validThrough.map { $0 >= first } ?? true) {
            context.discounts[discount.studentID, default: []].append(discount)
        }
        try loadIssued(&context, periods: periods, on: connection)
        try loadPerDay(&context, periods: periods, on: connection)
        if context.schedules.values.joined().contains(where: { $0.stateShare != nil }) {
            guard let budget = try LedgerQueries.account(schoolID: school.id, purpose: .budgetReceivable, on: connection) else {
                throw BillingError.accountMismatch("school \(school.code) has no active budget receivable account for state-paid shares")
            }
            context.budgetReceivableAccountID = budget.accountID
        }
        if feeTypes.values.contains(where: \.requiresEnrolment) {
            context.enrolments = try Enrolments.overlapping(schoolID: school.id, from: first.firstDay, through: last.lastDay, on: connection)
        }
        return context
    }

    /// School days of the periods (refused when a per-day schedule bills a month the calendar lacks) and the
    /// absent days each pupil still has to be credited per per-day fee: absences of months billed for that fee
    /// before the first period, less the days credited on live invoices.
    static func loadPerDay(_ context: inout IssueContext, periods: [CalendarMonth], on connection: PostgresConnection) throws {
        let perDay = context.schedules.values.joined().filter { $0.rateUnit == .day }
        guard !perDay.isEmpty else { return }
        context.schoolDays = try SchoolCalendar.schoolDays(schoolID: context.school.id, periods: periods, on: connection)
        for period in periods where context.schoolDays[period] == nil && perDay.contains(where: { $0.bills(period) }) {
            throw BillingError.invalidField(field: "calendar", problem: "per-day fees bill \(period.iso) but the school calendar has no "
                                            + "school days for it (tuition calendar set)")
        }
        let granted = try LeavingCredits.grantedAbsences(schoolID: context.school.id, on: connection)
        for row in try connection.query("""
            SELECT i.student_id, l.fee_type_id, (coalesce(sum(a.absent_days), 0) - sum(l.credited_days))::int8
            FROM invoice_lines l
            JOIN invoices i ON i.school_id = l.school_id AND i.invoice_id = l.invoice_id
            LEFT JOIN student_absences a ON a.school_id = i.school_id AND a.student_id = i.student_id AND a.period = i.period
            WHERE l.school_id = \(context.school.id) AND l.quantity IS NOT NULL AND i.void_entry_id IS NULL
              AND i.period < \(periods.min()!.firstDay)
            GROUP BY i.student_id, l.fee_type_id
            """) {
            let (student, fee, billedOutstanding) = try row.decode((Int64, Int64, Int).self)
            let outstanding = billedOutstanding - (granted[student]?[fee] ?? 0)
            if outstanding > 0 { context.absenceCredit[IssueContext.StudentFee(studentID: student, feeTypeID: fee)] = outstanding }
        }
    }

    /// Active students (or the given ones, who must be active), by class, name and code so numbers read well.
    static func activeStudents(schoolID: Int64, only ids: [Int64]?, on connection: PostgresConnection) throws -> [Student] {
        let rows = try connection.query("""
            \(unescaped: Students.selectSQL)
            WHERE s.school_id = \(schoolID) AND s.status = 'active'
              AND (\(ids.map(PostgresInt64Array.init))::int8[] IS NULL OR s.student_id = ANY(\(ids.map(PostgresInt64Array.init))))
            ORDER BY s.class_name, s.normalized_name, s.student_code
            LIMIT \(BillingLimits.studentsPerSchoolMax + 1)
            """)
        guard rows.count <= BillingLimits.studentsPerSchoolMax else {
            throw BillingError.limitExceeded("a school has more than \(BillingLimits.studentsPerSchoolMax) active students")
        }
        return try rows.map(Students.decode)
    }

    /// Live and voided invoices for the periods, and the months each student was billed tuition in those school years.
    static func loadIssued(_ context: inout IssueContext, periods: [CalendarMonth], on connection: PostgresConnection) throws {
        let years = Array(Set(periods.map { Int64($0.schoolYear) })).sorted()
        let periodDays = periods.map(\.firstDay.iso)
        for row in try connection.query("""
            SELECT i.student_id, i.period, i.void_entry_id IS NOT NULL AS voided, i.period = ANY(\(PostgresTextArray(periodDays))::date[]),
                   EXISTS (SELECT 1 FROM invoice_lines l JOIN fee_types f ON f.school_id = l.school_id AND f.fee_type_id = l.fee_type_id
                           WHERE l.school_id = i.school_id AND l.invoice_id = i.invoice_id AND f.kind = 'tuition') AS tuition
            FROM invoices i
            WHERE i.school_id = \(context.school.id) AND i.school_year = ANY(\(PostgresInt64Array(years))::int4[])
            """) {
            let (student, period, voided, inPeriods, tuition) = try row.decode((Int64, CalendarMonth, Bool, Bool, Bool).self)
            let key = IssueContext.StudentPeriod(studentID: student, period: period)
            if inPeriods {
                if voided { context.voided[key, default: 0] += 1 } else { context.issued.insert(key) }
            }
            if tuition && !voided {
                context.tuitionMonths[IssueContext.StudentYear(studentID: student, schoolYear: period.schoolYear), default: []].insert(period)
            }
        }
    }
}
