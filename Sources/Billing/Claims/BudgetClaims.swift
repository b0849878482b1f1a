import Core
import Postgres

/// What the state budget owes a school for a term: the state-paid shares of its live invoices (tuition
/// support at non-public schools, BHYT's state part), by pupil and fee, less the state's part of the leaving credits
/// of pupils who left in the term — so the claim equals what the ledger's budget receivable holds for the term.
public struct BudgetClaimReport: Hashable, Sendable, Codable {
    public struct Row: Hashable, Sendable, Codable {
        public var studentCode: String
        public var studentName: String
        public var className: String
        public var feeCode: String
        public var feeName: String
        /// What the state pays on the schedule: "30 %" or a fixed "800.000 đ/tháng" (`StateShare.basisText`).
        public var basis: String
        /// Positive for a state share billed; negative for the state's part of a leaving credit netted out.
        public var amount: Money
        public var kind: Kind = .stateShare

        public init(studentCode: String, studentName: String, className: String, feeCode: String, feeName: String, basis: String,
                    amount: Money, kind: Kind = .stateShare) {
            self.studentCode = studentCode
            self.studentName = studentName
            self.className = className
            self.feeCode = feeCode
            self.feeName = feeName
            self.basis = basis
            self.amount = amount
            self.kind = kind
        }
    }

    /// A claim line is a state share billed on the term's invoices, or the state's part of the absence credit of a
    /// pupil who left in the term (`LeavingCredits`), which the ledger took off the budget receivable.
    public enum Kind: String, Hashable, Sendable, Codable {
        case stateShare = "state_share"
        case leavingCredit = "leaving_credit"
    }

    public var schoolCode: String
    public var schoolName: String
    public var schoolYear: Int
    public var term: Int
    public var rows: [Row]
    public var total: Money
}

/// The budget claim of a school and term: term 1 is September–December, term 2 January–August.
public enum BudgetClaims {
    public static let rowsMax = 200_000

    public static func periods(schoolYear: Int, term: Int) -> [CalendarMonth] {
        (term == 1 ? [9, 10, 11, 12] : Array(1...8)).map { FeeSchedules.month($0, ofSchoolYear: schoolYear) }
    }

    public static func report(schoolID: Int64, schoolYear: Int, term: Int, on connection: PostgresConnection) throws(BillingError) -> BudgetClaimReport {
        guard term == 1 || term == 2 else { throw .invalidField(field: "term", problem: "\(term) must be 1 (Sep–Dec) or 2 (Jan–Aug)") }
        let school = try BillingSchool.load(schoolID, on: connection)
        let months = periods(schoolYear: schoolYear, term: term)
        return try BillingError.wrapping {
            let rows = try connection.query("""
                SELECT i.student_code, i.student_name, i.class_name, f.code, f.name, s.state_share_basis_points, s.state_share_dong,
                       sum(l.state_share)::int8
                FROM invoice_lines l
                JOIN invoices i ON i.school_id = l.school_id AND i.invoice_id = l.invoice_id
                JOIN fee_types f ON f.school_id = l.school_id AND f.fee_type_id = l.fee_type_id
                JOIN fee_schedules s ON s.school_id = l.school_id AND s.schedule_id = l.schedule_id
                WHERE l.school_id = \(schoolID) AND l.state_share > 0 AND i.void_entry_id IS NULL
                  AND i.period = ANY(\(PostgresTextArray(months.map(\.firstDay.iso)))::date[])
                GROUP BY i.student_code, i.student_name, i.class_name, f.code, f.name, s.state_share_basis_points, s.state_share_dong
                ORDER BY i.class_name, i.student_code, f.code, s.state_share_basis_points, s.state_share_dong
                LIMIT \(rowsMax)
                """).map { row in
                let (code, name, className, feeCode, feeName, points, fixed, amount) =
                    try row.decode((String, String, String, String, String, Int?, Int64?, Money).self)
                // A schedule changed since the line was billed may no longer say; the amount billed stands.
                let basis = StateShare(basisPoints: points, fixedDong: fixed)?.basisText ?? ""
                return BudgetClaimReport.Row(studentCode: code, studentName: name, className: className, feeCode: feeCode, feeName: feeName,
                                             basis: basis, amount: amount)
            }
            let credits = try LeavingCredits.stateParts(schoolID: schoolID, months: months, limit: rowsMax, on: connection).map {
                BudgetClaimReport.Row(studentCode: $0.studentCode, studentName: $0.studentName, className: $0.className, feeCode: $0.feeCode,
                                      feeName: $0.feeName, basis: "Trả lại khi nghỉ học từ \($0.withdrawnOn.vietnamese)",
                                      amount: Money(dong: -$0.state.dong), kind: .leavingCredit)
            }
            let all = merged(rows, credits)
            return BudgetClaimReport(schoolCode: school.code, schoolName: school.name, schoolYear: schoolYear, term: term, rows: all,
                                     total: try Money.sum(all.map(\.amount)))
        }
    }
}

extension BudgetClaims {
    /// A pupil's leaving-credit lines right after the pupil's share lines (kept in the query's order); the credits of
    /// a pupil with no share line in the term come last. Keyed by pupil, so no collation order is assumed.
    public static func merged(_ shares: [BudgetClaimReport.Row], _ credits: [BudgetClaimReport.Row]) -> [BudgetClaimReport.Row] {
        var pending = Dictionary(grouping: credits.indices, by: { credits[$0].studentCode })
        var result: [BudgetClaimReport.Row] = []
        result.reserveCapacity(shares.count + credits.count)
        for (index, share) in shares.enumerated() {
            result.append(share)
            let lastOfPupil = index + 1 == shares.count || shares[index + 1].studentCode != share.studentCode
            if lastOfPupil, let own = pending.removeValue(forKey: share.studentCode) { result += own.map { credits[$0] } }
        }
        result += credits.indices.filter { pending[credits[$0].studentCode] != nil }.map { credits[$0] }
        return result
    }
}

/// The claim as CSV (UTF-8, comma, RFC 4180 quoting) and as an HTML page, pure.
public enum BudgetClaimRendering {
    public static func csv(_ report: BudgetClaimReport) -> String {
        var text = "student_code,student_name,class,fee_code,fee_name,state_share,amount\n"
        for row in report.rows {
            text += [row.studentCode, row.studentName, row.className, row.feeCode, row.feeName, row.basis, String(row.amount.dong)].map(quoted)
                .joined(separator: ",") + "\n"
        }
        text += ",,,,,total,\(report.total.dong)\n"
        return text
    }

    public static func html(_ report: BudgetClaimReport) -> String {
        let title = "Đề nghị ngân sách chi trả — \(report.schoolName), học kỳ \(report.term) năm học \(report.schoolYear)–\(report.schoolYear + 1)"
        var html = "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>\(HTMLText.escaped(title))</title></head><body>\n"
        html += "<h1>\(HTMLText.escaped(title))</h1>\n<table>\n<tr><th>Mã HS</th><th>Họ và tên</th><th>Lớp</th><th>Khoản thu</th><th>Nhà nước đóng</th><th>Số tiền</th></tr>\n"
        for row in report.rows {
            html += (row.kind == .leavingCredit ? "<tr class=\"leaving-credit\">" : "<tr>") + "<td>\(HTMLText.escaped(row.studentCode))</td><td>\(HTMLText.escaped(row.studentName))</td>"
                + "<td>\(HTMLText.escaped(row.className))</td><td>\(HTMLText.escaped(row.feeName))</td><td>\(HTMLText.escaped(row.basis))</td><td>\(HTMLText.escaped(row.amount.description))</td></tr>\n"
        }
        html += "<tr><th colspan=\"5\">Tổng cộng</th><th>\(HTMLText.escaped(report.total.description))</th></tr>\n</table>\n</body></html>\n"
        return html
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
