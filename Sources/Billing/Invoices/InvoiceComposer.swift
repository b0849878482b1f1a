import Core
import Ledger

/// An invoice computed and not yet written.
struct InvoiceDraft {
    var studentID: Int64
    var familyID: Int64?
    var studentCode: String
    var studentName: String
    var className: String
    var period: CalendarMonth
    var dueDate: CalendarDate
    var lines: [DiscountedLine]
    /// Distinguishes the invoices of one student and month after voids: 1 + the number voided.
    var generation: Int

    var gross: Money { Money(dong: lines.reduce(0) { $0 + $1.gross.dong }) }
    var discount: Money { Money(dong: lines.reduce(0) { $0 + $1.discount.dong }) }
    var total: Money { Money(dong: lines.reduce(0) { $0 + $1.net.dong }) }
}

/// What composing one student's month gave.
enum CompositionOutcome {
    case alreadyIssued
    case noFees
    /// `cappedTuition`: tuition lines left out because the student already has the most tuition months
    /// a school year allows (Decree 81/2021); the draft may then hold agreed collections only.
    case draft(InvoiceDraft, cappedTuition: Bool)
    case cappedOnly
}

/// Everything issuing needs to know about a school for some periods, loaded once.
struct IssueContext {
    var school: School
    var receivableAccountID: Int64
    var discountsAccountID: Int64
    var feeTypes: [Int64: FeeType]
    /// By school year.
    var schedules: [Int: [FeeSchedule]]
    var students: [Student]
    var discounts: [Int64: [StudentDiscount]]
    /// Live invoices by student and period.
    var issued: Set<StudentPeriod>
    /// Voided invoices by student and period.
    var voided: [StudentPeriod: Int]
    /// Months with a live tuition line, by student and school year.
    var tuitionMonths: [StudentYear: Set<CalendarMonth>]
    /// School days of the months issued, for per-day items.
    var schoolDays: [CalendarMonth: Int] = [:]
    /// Absent days not yet credited, by student and per-day fee type (`PerDayCredit`).
    var absenceCredit: [StudentFee: Int] = [:]
    /// Enrolments in opt-in fees overlapping the periods, by student.
    var enrolments: [Int64: [Enrolment]] = [:]
    /// The account state-paid shares are receivable on (purpose budget_receivable), when a schedule has one.
    var budgetReceivableAccountID: Int64?

    struct StudentFee: Hashable {
        var studentID: Int64
        var feeTypeID: Int64
    }

    struct StudentPeriod: Hashable {
        var studentID: Int64
        var period: CalendarMonth
    }

    struct StudentYear: Hashable {
        var studentID: Int64
        var schoolYear: Int
    }
}

/// Computes invoices from schedules and discounts: pure, no database.
enum InvoiceComposer {
    /// The invoice of `student` for `period`, updating `context.tuitionMonths` for the months it bills.
    static func compose(_ student: Student, period: CalendarMonth, context: inout IssueContext) -> CompositionOutcome {
        let key = IssueContext.StudentPeriod(studentID: student.id, period: period)
        if context.issued.contains(key) { return .alreadyIssued }
        let chosen = ScheduleSelection.select(context.schedules[period.schoolYear] ?? [], grade: student.grade,
                                              category: student.category, className: student.className)
        // Only what is never mutated below is captured: holding `context` itself would copy its tables on write.
        let (feeTypes, enrolments, schoolDays) = (context.feeTypes, context.enrolments[student.id] ?? [], context.schoolDays[period] ?? 0)
        let enrolled = { (schedule: FeeSchedule) in enrolledDays(schedule, period: period, feeTypes: feeTypes, enrolments: enrolments) }
        var billed = chosen.values.filter {
            $0.bills(period) && $0.monthlyAmount.isPositive && ($0.rateUnit == .month || schoolDays > 0) && enrolled($0) > 0
        }
            .sorted { context.feeTypes[$0.feeTypeID]!.code < context.feeTypes[$1.feeTypeID]!.code }
        guard !billed.isEmpty else { return .noFees }
        let yearKey = IssueContext.StudentYear(studentID: student.id, schoolYear: period.schoolYear)
        let months = context.tuitionMonths[yearKey] ?? []
        let hasTuition = billed.contains { context.feeTypes[$0.feeTypeID]!.kind == .tuition }
        let capped = hasTuition && !months.contains(period) && months.count >= context.school.level.billableMonthsPerYearMax
        if capped {
            billed.removeAll { context.feeTypes[$0.feeTypeID]!.kind == .tuition }
            if billed.isEmpty { return .cappedOnly }
        } else if hasTuition {
            context.tuitionMonths[yearKey, default: []].insert(period)
        }
        let charges = billed.map {
            charge($0, student: student, period: period, enrolledDays: enrolled($0), context: &context)
        }
        let discounts = (context.discounts[student.id] ?? []).filter { $0.isValid(in: period) }
        let lines = DiscountArithmetic.apply(charges, discounts: discounts)
        let dueDay = billed.map(\.dueDay).min()!
        let draft = InvoiceDraft(studentID: student.id, familyID: student.familyID, studentCode: student.code, studentName: student.fullName,
                                 className: student.className, period: period,
                                 dueDate: try! CalendarDate(year: period.year, month: period.month, day: dueDay),
                                 lines: lines, generation: (context.voided[key] ?? 0) + 1)
        context.issued.insert(key)
        return .draft(draft, cappedTuition: capped)
    }

    /// A schedule's charge: the monthly amount, or for a per-day schedule the month's school days less the
    /// absences still to credit (`PerDayCredit.credit`) × the day rate.
    /// Calendar days of `period` the student is enrolled in the schedule's fee; `Int.max` for a fee everyone covered pays.
    static func enrolledDays(_ schedule: FeeSchedule, period: CalendarMonth, feeTypes: [Int64: FeeType], enrolments: [Enrolment]) -> Int {
        guard feeTypes[schedule.feeTypeID]!.requiresEnrolment else { return Int.max }
        return enrolments.filter { $0.feeTypeID == schedule.feeTypeID }.reduce(0) { $0 + $1.daysCovered(in: period) }
    }

    /// An opt-in fee with a monthly rate covered only part of the month is billed pro rata (`EnrolmentProRata`);
    /// a per-day schedule bills the month's school days less the absences still to credit (`PerDayCredit`) × the
    /// day rate. A state share (`PayerSplit`) then takes the state's part off the family's line.
    static func charge(_ schedule: FeeSchedule, student: Student, period: CalendarMonth, enrolledDays: Int,
                       context: inout IssueContext) -> Charge {
        var whole: Money, days: DayCount?, fullMonth: Int64
        if schedule.rateUnit == .day {
            let planned = context.schoolDays[period]!
            let key = IssueContext.StudentFee(studentID: student.id, feeTypeID: schedule.feeTypeID)
            let outstanding = context.absenceCredit[key] ?? 0
            let credited = PerDayCredit.credit(outstanding: outstanding, planned: planned)
            context.absenceCredit[key] = outstanding - credited
            days = DayCount(billed: planned - credited, rate: schedule.monthlyAmount, credited: credited)
            whole = Money(dong: Int64(planned - credited) * schedule.monthlyAmount.dong)
            fullMonth = Int64(planned) * schedule.monthlyAmount.dong
        } else {
            let monthDays = CalendarMonth.daysIn(year: period.year, month: period.month)
            whole = enrolledDays >= monthDays ? schedule.monthlyAmount
                : EnrolmentProRata.amount(monthly: schedule.monthlyAmount, daysCovered: enrolledDays, daysInMonth: monthDays)
            fullMonth = schedule.monthlyAmount.dong
        }
        guard let share = schedule.stateShare, whole.dong >= 1 else {
            return Charge(feeTypeID: schedule.feeTypeID, scheduleID: schedule.id, gross: whole, days: days)
        }
        let (state, family) = share.split(whole: whole.dong, fullMonth: max(fullMonth, whole.dong))
        return Charge(feeTypeID: schedule.feeTypeID, scheduleID: schedule.id, gross: Money(dong: family), days: days,
                      stateShare: Money(dong: state))
    }

    /// The ledger entry of an invoice: Dr receivable (student, family, invoice) for the total, Dr discounts
    /// (student) for the discounts, Cr each line's fee account for its gross. Balanced by construction.
    static func entry(_ draft: InvoiceDraft, invoiceID: Int64, number: InvoiceNumber, context: IssueContext) -> JournalEntryRequest {
        var postings: [PostingRequest] = []
        if draft.total.isPositive {
            postings.append(PostingRequest(accountID: context.receivableAccountID, amount: draft.total,
                                           dimensions: PostingDimensions(studentID: draft.studentID, familyID: draft.familyID, invoiceID: invoiceID)))
        }
        if draft.discount.isPositive {
            postings.append(PostingRequest(accountID: context.discountsAccountID, amount: draft.discount,
                                           dimensions: PostingDimensions(studentID: draft.studentID)))
        }
        // The state's shares are owed by the budget, not the family: Dr budget receivable (student).
        let stateShare = draft.lines.reduce(0) { $0 + $1.stateShare.dong }
        if stateShare > 0 {
            postings.append(PostingRequest(accountID: context.budgetReceivableAccountID!, amount: Money(dong: stateShare),
                                           dimensions: PostingDimensions(studentID: draft.studentID)))
        }
        for line in draft.lines {
            postings.append(PostingRequest(accountID: context.feeTypes[line.feeTypeID]!.accountID,
                                           amount: Money(dong: line.gross.dong + line.stateShare.dong).negated))
        }
        precondition(postings.reduce(0) { $0 + $1.amount.dong } == 0, "an invoice entry must balance")
        return JournalEntryRequest(
            schoolID: context.school.id, effectiveDate: draft.period.firstDay, kind: .invoice,
            description: "Hóa đơn \(number.text) tháng \(draft.period.month)/\(draft.period.year), học sinh \(draft.studentCode)",
            idempotencyKey: idempotencyKey(studentID: draft.studentID, period: draft.period, generation: draft.generation),
            references: EntryReferences(invoiceID: invoiceID), postings: postings)
    }

    /// Derived from the student and the month (and the generation after voids), so issuing twice
    /// cannot book twice: the ledger answers the second with the first entry.
    static func idempotencyKey(studentID: Int64, period: CalendarMonth, generation: Int) -> String {
        "invoice:\(studentID):\(period.iso):\(generation)"
    }
}
