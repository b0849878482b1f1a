import Core
import Ledger
import Postgres

/// How far an issuing run is.
public struct IssueProgress: Sendable {
    public var written: Int
    public var toWrite: Int
}

/// What an issuing run did.
public struct IssueSummary: Hashable, Sendable, Codable {
    public var periods: [CalendarMonth]
    /// Invoices written by this run, in number order.
    public var issuedInvoiceIDs: [Int64]
    public var issued: Int { issuedInvoiceIDs.count }
    /// Student-months that already had a live invoice: nothing was written for them.
    public var alreadyIssued: Int
    /// Student-months no schedule bills.
    public var withoutFees: Int
    /// Students whose tuition was left out because they already had the school year's maximum of
    /// tuition months (Decree 81/2021); at most `cappedStudentsListedMax` codes are listed.
    public var cappedStudentCodes: [String]
    public var cappedCount: Int
    /// The sum of the totals issued.
    public var totalIssued: Money

    public static let cappedStudentsListedMax = 100

    public var summary: String {
        var text = "issued \(issued), already issued \(alreadyIssued)"
        if withoutFees > 0 { text += ", \(withoutFees) without fees" }
        if cappedCount > 0 { text += ", tuition left out for \(cappedCount) (9-month cap)" }
        return text
    }
}

/// Issues invoices: one per active student and month, numbered without gaps, each booked in the
/// ledger in the same transaction. See docs/billing.md.
public enum InvoiceIssuer {
    /// Advisory lock class serialising issuing runs of one school.
    static let lockClass = AdvisoryLockClass.invoiceIssuing.rawValue

    /// Issues `period` for every active student, inside the caller's READ COMMITTED transaction.
    /// Re-running issues only what is missing; a concurrent run waits for this one and then finds
    /// everything issued. `progress` is called after each batch written.
    public static func issue(schoolID: Int64, period: CalendarMonth, issuedOn: CalendarDate = VietnamTime.today, issuedBy: String,
                             progress: (IssueProgress) -> Void = { _ in }, on connection: PostgresConnection) throws(BillingError) -> IssueSummary {
        try BillingError.wrapping {
            try run(schoolID: schoolID, periods: [period], studentIDs: nil, strict: false, issuedOn: issuedOn, issuedBy: issuedBy,
                    progress: progress, on: connection)
        }
    }

    /// The same in a transaction of its own, retried on a serialisation failure or deadlock.
    public static func issue(schoolID: Int64, period: CalendarMonth, issuedOn: CalendarDate = VietnamTime.today, issuedBy: String,
                             progress: (IssueProgress) -> Void = { _ in }, pool: PostgresPool) throws(BillingError) -> IssueSummary {
        try BillingError.wrapping {
            try pool.transaction(isolation: .readCommitted) { connection in
                try run(schoolID: schoolID, periods: [period], studentIDs: nil, strict: false, issuedOn: issuedOn, issuedBy: issuedBy,
                        progress: progress, on: connection)
            }
        }
    }

    /// Voluntary prepayment (Decree 81/2021 Art. 12): issues several months at once for one student.
    /// Months already issued are skipped; a month no schedule bills, or tuition beyond the school
    /// year's maximum of billable months, is refused.
    public static func prepay(schoolID: Int64, studentID: Int64, periods: [CalendarMonth], issuedOn: CalendarDate = VietnamTime.today,
                              issuedBy: String, on connection: PostgresConnection) throws(BillingError) -> IssueSummary {
        guard !periods.isEmpty, periods.count <= BillingLimits.prepaidPeriodsMax, Set(periods).count == periods.count else {
            throw .invalidField(field: "periods", problem: "1 to \(BillingLimits.prepaidPeriodsMax) distinct months")
        }
        return try BillingError.wrapping {
            guard let student = try Students.find(schoolID: schoolID, id: studentID, on: connection), student.status.isActive else {
                throw BillingError.unknownStudent("id \(studentID) (or not active)")
            }
            return try run(schoolID: schoolID, periods: periods.sorted(), studentIDs: [studentID], strict: true, issuedOn: issuedOn,
                           issuedBy: issuedBy, progress: { _ in }, on: connection)
        }
    }

    static func run(schoolID: Int64, periods: [CalendarMonth], studentIDs: [Int64]?, strict: Bool, issuedOn: CalendarDate, issuedBy: String,
                    progress: (IssueProgress) -> Void, on connection: PostgresConnection) throws -> IssueSummary {
        guard !issuedBy.isEmpty, issuedBy.count <= BillingLimits.nameCharactersMax else {
            throw BillingError.invalidField(field: "issued_by", problem: "1 to \(BillingLimits.nameCharactersMax) characters")
        }
        try lock(schoolID: schoolID, on: connection)
        let school = try BillingSchool.load(schoolID, on: connection)
        var context = try IssueContextLoader.load(school: school, periods: periods, studentIDs: studentIDs, on: connection)
        var summary = IssueSummary(periods: periods, issuedInvoiceIDs: [], alreadyIssued: 0, withoutFees: 0, cappedStudentCodes: [],
                                   cappedCount: 0, totalIssued: .zero)
        var drafts: [InvoiceDraft] = []
        var capped = Set<String>()
        for student in context.students {
            for period in periods {
                switch InvoiceComposer.compose(student, period: period, context: &context) {
                case .alreadyIssued:
                    summary.alreadyIssued += 1
                case .noFees:
                    if strict { throw BillingError.noFeeScheduled(student: student.code, period: period) }
                    summary.withoutFees += 1
                case .cappedOnly:
                    if strict { throw capError(student, periods, context) }
                    capped.insert(student.code)
                case .draft(let draft, let cappedTuition):
                    if cappedTuition {
                        if strict { throw capError(student, periods, context) }
                        capped.insert(student.code)
                    }
                    drafts.append(draft)
                }
            }
        }
        summary.cappedCount = capped.count
        summary.cappedStudentCodes = Array(capped.sorted().prefix(IssueSummary.cappedStudentsListedMax))
        try InvoiceWriter.write(drafts, context: context, issuedOn: issuedOn, issuedBy: issuedBy, summary: &summary,
                                progress: progress, on: connection)
        return summary
    }

    /// Takes the school's issuing lock for the rest of the transaction; refuses isolation levels
    /// under which the reads after the lock would not see a concurrent run's invoices.
    static func lock(schoolID: Int64, on connection: PostgresConnection) throws {
        let row = try connection.query("""
            SELECT current_setting('transaction_isolation'), pg_advisory_xact_lock(\(lockClass), (\(schoolID) % 2147483647)::int4)::text
            """).singleRow()!
        let isolation = try row.decode(column: 0, as: String.self)
        precondition(isolation == "read committed", "issuing needs a READ COMMITTED transaction, not \(isolation)")
    }

    /// The refusal of a prepayment that would bill tuition for more months than the school year allows.
    static func capError(_ student: Student, _ periods: [CalendarMonth], _ context: IssueContext) -> BillingError {
        let level = context.school.level
        var wanted = 0
        var wantedYear = periods.first?.schoolYear ?? 0
        for year in Set(periods.map(\.schoolYear)) {
            let billed = context.tuitionMonths[IssueContext.StudentYear(studentID: student.id, schoolYear: year)] ?? []
            let count = billed.union(periods.filter { $0.schoolYear == year }).count
            if count > wanted { (wanted, wantedYear) = (count, year) }
        }
        return .billableMonthsCap(months: wanted, max: level.billableMonthsPerYearMax, level: level, schoolYear: wantedYear)
    }
}
