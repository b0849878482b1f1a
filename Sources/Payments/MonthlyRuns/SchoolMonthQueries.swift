import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// The lists of a school's monthly report, read as the ledger stood at the month end (postings
/// dated on or before it), so a report made later for the same month shows the same money.
enum SchoolMonthQueries {
    /// Largest unpaid invoices listed beside the aging.
    static let largestOutstandingListed = 20
    /// Characters of a memo or name copied into a report (its texts hold at most `ReportLimits.textCharactersMax`).
    static let textCharactersMax = 500

    static func accountID(schoolID: Int64, purpose: AccountPurpose, on connection: PostgresConnection) throws -> Int64 {
        try SuspenseLedger.account(schoolID: schoolID, purpose: purpose, on: connection)
    }

    /// Incoming money booked by the month end and still in suspense at it, oldest first.
    static func unapplied(schoolID: Int64, monthEnd: CalendarDate, on connection: PostgresConnection) throws -> [UnappliedItem] {
        let suspense = try accountID(schoolID: schoolID, purpose: .suspense, on: connection)
        return try connection.query("""
            SELECT t.bank_transaction_id, t.booked_on, (-s.balance)::int8, t.payer_name, t.memo
            FROM \(LedgerReads.balancesAsOf(as: "s", school: schoolID, account: suspense, by: [.bankTransaction], asOf: monthEnd, sign: .credit))
            JOIN bank_transactions t ON t.school_id = \(schoolID) AND t.bank_transaction_id = s.bank_transaction_id
            WHERE t.direction = 'in' AND t.booked_on <= \(monthEnd)
            ORDER BY t.booked_on, t.bank_transaction_id LIMIT \(ReportLimits.unappliedItemsMax)
            """).map { row in
            let (id, booked, amount, payer, memo) = try row.decode((Int64, CalendarDate, Money, String?, String).self)
            return UnappliedItem(transactionId: id, bookingDate: booked, amount: amount, payerName: payer.map(clip), memo: clip(memo))
        }
    }

    /// Every invoice with something owed at the month end.
    static func outstanding(schoolID: Int64, monthEnd: CalendarDate, on connection: PostgresConnection) throws -> [OutstandingInvoice] {
        try connection.query("""
            SELECT i.payment_code, i.student_name, i.student_code, i.class_name, i.period, i.due_date, o.balance::int8
            FROM \(LedgerReads.balancesAsOf(as: "o", school: schoolID, purpose: .receivable, by: .invoice, asOf: monthEnd, sign: .debit))
            \(BillingReads.invoiceJoin(as: "i", school: schoolID, invoice: "o.invoice_id"))
            """).map { row in
            let (code, name, studentCode, className, period, due, owed) =
                try row.decode((String, String, String, String, CalendarMonth, CalendarDate, Money).self)
            return OutstandingInvoice(invoiceCode: code, studentName: name, studentCode: studentCode, className: className, period: period,
                                      dueDate: due, outstanding: owed)
        }
    }

    /// Families (or students without one) holding credit at the month end, largest first.
    static func familyCredits(schoolID: Int64, monthEnd: CalendarDate, on connection: PostgresConnection) throws -> [FamilyCredit] {
        let credit = try accountID(schoolID: schoolID, purpose: .familyCredit, on: connection)
        return try connection.query("""
            SELECT c.family_id, f.family_key, c.student_id, st.student_code, (-c.balance)::int8,
                   coalesce(\(BillingReads.familyContactName(school: schoolID, family: "c.family_id")),
                            st.guardian_name, st.full_name)
            FROM \(LedgerReads.balancesAsOf(as: "c", school: schoolID, account: credit, by: [.family, .student], asOf: monthEnd, sign: .credit))
            \(BillingReads.familyJoin(as: "f", school: schoolID, family: "c.family_id"))
            \(BillingReads.studentJoin(as: "st", school: schoolID, student: "c.student_id"))
            ORDER BY c.balance, c.family_id, c.student_id LIMIT \(ReportLimits.familyCreditsMax)
            """).map { row in
            let (_, familyKey, _, studentCode, balance, name) = try row.decode((Int64?, String?, Int64?, String?, Money, String?).self)
            return FamilyCredit(familyKey: familyKey ?? studentCode ?? "?", familyName: clip(name ?? ""), balance: balance)
        }
    }

    /// Every incoming transaction booked in the month, as the matcher sees them (for the duplicates check).
    static func incoming(schoolID: Int64, month: CalendarMonth, on connection: PostgresConnection) throws -> [MatchTransaction] {
        try connection.query("""
            SELECT bank_transaction_id, amount, booked_on, memo, payer_name, virtual_account FROM bank_transactions
            WHERE school_id = \(schoolID) AND direction = 'in' AND booked_on BETWEEN \(month.firstDay) AND \(month.lastDay)
            ORDER BY booked_on, bank_transaction_id
            """).map { row in
            let (id, amount, booked, memo, payer, virtual) = try row.decode((Int64, Money, CalendarDate, String, String?, String?).self)
            return MatchTransaction(id: id, amount: amount, bookingDate: booked, memo: memo, payerName: payer, virtualAccount: virtual)
        }
    }

    static func clip(_ text: String) -> String { String(text.prefix(textCharactersMax)) }
}
