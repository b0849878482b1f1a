import Core
import Ledger
import Postgres

/// The pure rule valuing the per-day credit of a pupil who leaves (docs/billing.md, "A pupil who leaves").
public enum LeavingCreditRule {
    /// School days of the leaving month not served after the leaving date, in proportion to the calendar days left:
    /// `schoolDays × (days in month − day + 1) / days in month` **rounded half up**, at most the days the month's line
    /// billed less the absences recorded for that month (those are credited as absences already).
    public static func unservedDays(leavingOn date: CalendarDate, schoolDays: Int, billedDays: Int, absentDays: Int) -> Int {
        let daysInMonth = CalendarMonth.daysIn(year: date.year, month: date.month)
        let left = daysInMonth - date.day + 1
        let proRata = (schoolDays * left * 2 + daysInMonth) / (2 * daysInMonth)
        return max(0, min(proRata, billedDays - absentDays))
    }

    /// Splits `days` at the day figures of the line that billed `quantity` days at `rate` with `stateShare` paid by the
    /// budget and `discount` taken off: the whole is `days × rate`; the state's and the discount's parts are their
    /// per-day shares × days **rounded half up**; the family's part is the rest, so the parts sum exactly to the whole.
    public static func split(days: Int, rate: Int64, quantity: Int, stateShare: Int64, discount: Int64)
        -> (whole: Int64, family: Int64, state: Int64, discount: Int64) {
        precondition(days >= 1 && quantity >= 1 && rate >= 1 && stateShare >= 0 && discount >= 0)
        let whole = Int64(days) * rate
        let q = Int64(quantity), d = Int64(days)
        let state = min((d * stateShare * 2 + q) / (2 * q), whole)
        var off = min((d * discount * 2 + q) / (2 * q), whole - state)
        var family = whole - state - off
        if family < 0 { off += family; family = 0 }
        return (whole, family, state, off)
    }
}

/// What one per-day fee gave a leaving pupil back.
public struct LeavingCredit: Hashable, Sendable {
    public var feeCode: String
    public var absentDays: Int
    public var unservedDays: Int
    public var dayRate: Money
    /// Credited to the family (or the pupil when without family) as family credit.
    public var family: Money
    /// Taken off the budget receivable (the state's share of those days).
    public var state: Money
    /// Taken off the discounts (the discount of those days).
    public var discount: Money
    public var entryID: Int64
    public var reason: String
}

/// The state's part of a pupil's leaving credits for one fee, as the budget claim nets it out.
public struct LeavingStateCredit: Hashable, Sendable {
    public var studentCode: String
    public var studentName: String
    public var className: String
    public var feeCode: String
    public var feeName: String
    public var withdrawnOn: CalendarDate
    public var state: Money
}

/// Absence credit for a pupil who leaves: the one owner of `leaving_credits`. Runs inside the caller's transaction.
///
/// Per-day items are billed in advance and absent days credited on the next invoice; a pupil who leaves has no next
/// invoice. On withdrawal every per-day fee the pupil was billed gets one ledger entry (kind adjustment, with its
/// reason): Dr the fee's account for the days × the day rate, Cr family credit, budget receivable and discounts for
/// their parts. The issuer counts these absent days as credited, so a pupil reinstated later is not credited twice.
public enum LeavingCredits {
    public static let reasonCharactersMax = 500

    @discardableResult
    static func grant(schoolID: Int64, student: Student, leavingOn date: CalendarDate, recordedBy: String,
                      on connection: PostgresConnection) throws -> [LeavingCredit] {
        let lines = try lastPerDayLines(schoolID: schoolID, studentID: student.id, on: connection)
        guard !lines.isEmpty else { return [] }
        let ids = try LedgerQueries.accountIDs(schoolID: schoolID, purposes: [.familyCredit, .budgetReceivable, .discounts], on: connection)
        guard let familyCredit = ids[.familyCredit] else { throw BillingError.accountMismatch("the school has no active family_credit account") }
        let closed = try Schools.find(id: schoolID, on: connection)?.closedThrough
        let effective = closed.map { max(date, $0.adding(days: 1)) } ?? date
        var credits: [LeavingCredit] = []
        for line in lines {
            // Only the leaving month's own line bills days after the date; a later month billed ahead is voided instead.
            let unserved = line.period == date.calendarMonth
                ? LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: line.quantity + line.creditedDays,
                                                 billedDays: line.quantity, absentDays: line.absentThisMonth)
                : 0
            let absent = max(0, line.outstandingAbsences)
            let days = absent + unserved
            guard days >= 1 else { continue }
            let parts = LeavingCreditRule.split(days: days, rate: line.rate, quantity: line.quantity, stateShare: line.stateShare,
                                                discount: line.discount)
            let reason = "Học sinh \(student.code) nghỉ học từ \(date.vietnamese): trả lại \(line.feeName) \(days) ngày × "
                + "\(Money(dong: line.rate)) (vắng \(absent) ngày chưa trừ, \(unserved) ngày chưa phục vụ)"
            var postings = [PostingRequest(accountID: line.accountID, amount: Money(dong: parts.whole))]
            let holder = student.familyID.map { PostingDimensions(familyID: $0) } ?? PostingDimensions(studentID: student.id)
            if parts.family > 0 { postings.append(PostingRequest(accountID: familyCredit, amount: Money(dong: -parts.family), dimensions: holder)) }
            if parts.state > 0, let budget = ids[.budgetReceivable] {
                postings.append(PostingRequest(accountID: budget, amount: Money(dong: -parts.state), dimensions: PostingDimensions(studentID: student.id)))
            }
            if parts.discount > 0, let discounts = ids[.discounts] {
                postings.append(PostingRequest(accountID: discounts, amount: Money(dong: -parts.discount), dimensions: PostingDimensions(studentID: student.id)))
            }
            let posted = try LedgerWriter.post([JournalEntryRequest(
                schoolID: schoolID, effectiveDate: effective, kind: .adjustment, description: String(reason.prefix(reasonCharactersMax)),
                idempotencyKey: "leaving-credit:\(student.id):\(line.feeTypeID):\(date.iso):\(line.creditsBefore + 1)",
                references: EntryReferences(), postings: postings)], on: connection)[0]
            try connection.query("""
                INSERT INTO leaving_credits (school_id, student_id, fee_type_id, withdrawn_on, absent_days, unserved_days, day_rate,
                                             family_amount, state_amount, discount_amount, entry_id, reason, recorded_by)
                VALUES (\(schoolID), \(student.id), \(line.feeTypeID), \(date), \(absent), \(unserved), \(line.rate),
                        \(parts.family), \(parts.state), \(parts.discount), \(posted.entryID), \(String(reason.prefix(reasonCharactersMax))), \(recordedBy))
                """)
            credits.append(LeavingCredit(feeCode: line.feeCode, absentDays: absent, unservedDays: unserved, dayRate: Money(dong: line.rate),
                                         family: Money(dong: parts.family), state: Money(dong: parts.state),
                                         discount: Money(dong: parts.discount), entryID: posted.entryID, reason: reason))
        }
        return credits
    }

    /// The credits granted to a pupil, oldest first.
    public static func list(schoolID: Int64, studentID: Int64, on connection: PostgresConnection) throws -> [LeavingCredit] {
        try connection.query("""
            SELECT f.code, c.absent_days, c.unserved_days, c.day_rate, c.family_amount, c.state_amount, c.discount_amount, c.entry_id, c.reason
            FROM leaving_credits c JOIN fee_types f ON f.school_id = c.school_id AND f.fee_type_id = c.fee_type_id
            WHERE c.school_id = \(schoolID) AND c.student_id = \(studentID) ORDER BY c.leaving_credit_id
            """).map { row in
            let (code, absent, unserved, rate, family, state, discount, entry, reason) =
                try row.decode((String, Int, Int, Money, Money, Money, Money, Int64, String).self)
            return LeavingCredit(feeCode: code, absentDays: absent, unservedDays: unserved, dayRate: rate, family: family, state: state,
                                 discount: discount, entryID: entry, reason: reason)
        }
    }

    /// The state's part of the leaving credits granted to pupils who left in `months`, per pupil, fee and leaving date:
    /// what those credits took off the budget receivable, so the budget claim of the term nets it out
    /// (`BudgetClaims.report`). Credits with no state part are left out.
    public static func stateParts(schoolID: Int64, months: [CalendarMonth], limit: Int,
                                  on connection: PostgresConnection) throws -> [LeavingStateCredit] {
        try connection.query("""
            SELECT s.student_code, s.full_name, s.class_name, f.code, f.name, c.withdrawn_on, sum(c.state_amount)::int8
            FROM leaving_credits c
            JOIN students s ON s.school_id = c.school_id AND s.student_id = c.student_id
            JOIN fee_types f ON f.school_id = c.school_id AND f.fee_type_id = c.fee_type_id
            WHERE c.school_id = \(schoolID) AND c.state_amount > 0
              AND date_trunc('month', c.withdrawn_on)::date = ANY(\(PostgresTextArray(months.map(\.firstDay.iso)))::date[])
            GROUP BY s.student_code, s.full_name, s.class_name, f.code, f.name, c.withdrawn_on
            ORDER BY s.class_name, s.student_code, f.code, c.withdrawn_on
            LIMIT \(limit)
            """).map { row in
            let (code, name, className, feeCode, feeName, date, state) =
                try row.decode((String, String, String, String, String, CalendarDate, Money).self)
            return LeavingStateCredit(studentCode: code, studentName: name, className: className, feeCode: feeCode, feeName: feeName,
                                      withdrawnOn: date, state: state)
        }
    }

    /// Absent days already credited through leaving credits, by pupil and fee: the issuer subtracts them from what it
    /// still has to credit, so a pupil reinstated after leaving is not credited twice.
    static func grantedAbsences(schoolID: Int64, on connection: PostgresConnection) throws -> [Int64: [Int64: Int]] {
        var granted: [Int64: [Int64: Int]] = [:]
        for row in try connection.query("""
            SELECT student_id, fee_type_id, sum(absent_days)::int8 FROM leaving_credits
            WHERE school_id = \(schoolID) GROUP BY student_id, fee_type_id
            """) {
            let (student, fee, days) = try row.decode((Int64, Int64, Int).self)
            granted[student, default: [:]][fee] = days
        }
        return granted
    }

    struct PerDayLine {
        var feeTypeID: Int64
        var feeCode: String
        var feeName: String
        var accountID: Int64
        var period: CalendarMonth
        var quantity: Int
        var creditedDays: Int
        var rate: Int64
        var stateShare: Int64
        var discount: Int64
        var absentThisMonth: Int
        var outstandingAbsences: Int
        var creditsBefore: Int
    }

    /// Per per-day fee the pupil was billed: the latest live line and the absent days still to credit (absences of
    /// billed months, less the days credited on live invoices and by earlier leaving credits).
    static func lastPerDayLines(schoolID: Int64, studentID: Int64, on connection: PostgresConnection) throws -> [PerDayLine] {
        try connection.query("""
            WITH per_day AS (
                SELECT l.fee_type_id, i.period, l.quantity, l.credited_days, l.unit_price, l.state_share, l.discount,
                       coalesce(a.absent_days, 0) AS absent
                FROM invoice_lines l
                JOIN invoices i ON i.school_id = l.school_id AND i.invoice_id = l.invoice_id
                LEFT JOIN student_absences a ON a.school_id = i.school_id AND a.student_id = i.student_id AND a.period = i.period
                WHERE l.school_id = \(schoolID) AND i.student_id = \(studentID) AND l.quantity IS NOT NULL AND i.void_entry_id IS NULL
            ), latest AS (
                SELECT DISTINCT ON (fee_type_id) * FROM per_day ORDER BY fee_type_id, period DESC
            )
            SELECT f.fee_type_id, f.code, f.name, f.account_id, latest.period, latest.quantity::int8, latest.credited_days::int8,
                   latest.unit_price, latest.state_share, latest.discount, latest.absent::int8,
                   ((SELECT sum(absent) - sum(credited_days) FROM per_day p WHERE p.fee_type_id = latest.fee_type_id)
                    - (SELECT coalesce(sum(c.absent_days), 0) FROM leaving_credits c
                       WHERE c.school_id = \(schoolID) AND c.student_id = \(studentID) AND c.fee_type_id = latest.fee_type_id))::int8,
                   (SELECT count(*) FROM leaving_credits c
                    WHERE c.school_id = \(schoolID) AND c.student_id = \(studentID) AND c.fee_type_id = latest.fee_type_id)::int8
            FROM latest JOIN fee_types f ON f.school_id = \(schoolID) AND f.fee_type_id = latest.fee_type_id
            ORDER BY f.code
            """).map { row in
            let (fee, code, name, account, period, quantity, credited, rate, state, discount, absentThisMonth, outstanding, before) =
                try row.decode((Int64, String, String, Int64, CalendarMonth, Int, Int, Int64, Int64, Int64, Int, Int, Int).self)
            return PerDayLine(feeTypeID: fee, feeCode: code, feeName: name, accountID: account, period: period, quantity: quantity,
                              creditedDays: credited, rate: rate, stateShare: state, discount: discount, absentThisMonth: absentThisMonth,
                              outstandingAbsences: outstanding, creditsBefore: before)
        }
    }
}
