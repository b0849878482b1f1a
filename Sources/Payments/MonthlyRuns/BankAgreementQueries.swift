import Core
import Ledger
import Postgres
import Reconciliation

/// One bank account at a month end: the ledger against the bank's last statement.
struct BankAccountFacts: Sendable {
    var agreement: BankAccountAgreement
    /// The account has postings dated on or before the month end: without a statement it cannot agree.
    var hasActivity: Bool

    /// Agrees once the explaining items are counted (what the report's state says).
    var agreesWhenExplained: Bool {
        guard let unexplained = agreement.unexplained else { return !hasActivity }
        return unexplained.isZero
    }

    /// Agrees outright: the statement's closing balance equals the ledger (what closing the month needs).
    var agreesExactly: Bool {
        guard let difference = agreement.difference else { return !hasActivity }
        return difference.isZero
    }

    /// Why the account does not agree exactly, in words for the operator; nil when it does.
    var disagreement: String? {
        guard !agreesExactly else { return nil }
        let account = "account \(agreement.bankName) \(agreement.accountNumber)"
        guard let statement = agreement.statementClosingBalance, let difference = agreement.difference else {
            return "\(account): no statement imported up to the month end (ledger balance \(agreement.ledgerBalance))"
        }
        var text = "\(account): ledger \(agreement.ledgerBalance), statement \(statement) on \(agreement.statementDate?.iso ?? "?"), "
            + "difference \(difference)"
        if !agreement.explainingItems.isEmpty {
            text += " (\(agreement.explainingItems.count) explaining items, \(agreement.explained) explained, "
                + "\(agreement.unexplained ?? .zero) unexplained)"
        }
        return text
    }
}

/// The bank side of the monthly report: each account's ledger balance at the month end, the
/// closing balance of the last statement imported on or before it, and the items that explain
/// the difference.
///
/// An item is a bank transaction on one side only: in the ledger by the month end but not on the
/// statement (a callback no statement confirmed: `+amount`; a line dated after the statement's
/// closing date), or on the statement but booked in the ledger after the month end (a line dated in
/// a month that was already closed when it was imported: `−amount`). Money out counts the other way.
enum BankAgreementQueries {
    /// Items listed per account; the rest are summed into one last item so the sums stay exact.
    static let itemsListedMax = ReportLimits.explainingItemsMax - 1
    static let memoCharactersMax = 300

    static func accounts(schoolID: Int64, monthEnd: CalendarDate, bankName: (String) -> String,
                         on connection: PostgresConnection) throws -> [BankAccountFacts] {
        var facts: [BankAccountFacts] = []
        for row in try connection.query("""
            SELECT b.bank_account_id, b.bank_bin, b.account_number, coalesce(l.balance, 0)::int8, coalesce(l.postings, 0)::int8,
                   st.closing_balance, st.closing_date
            FROM \(LedgerReads.bankAccounts(as: "b", school: schoolID))
            \(LedgerReads.balanceAsOfJoin(as: "l", school: "b.school_id", account: "b.account_id", asOf: monthEnd))
            LEFT JOIN LATERAL (SELECT s.closing_balance, s.closing_date FROM bank_statements s
                               WHERE s.school_id = b.school_id AND s.bank_account_id = b.bank_account_id
                                 AND s.closing_balance IS NOT NULL AND s.closing_date <= \(monthEnd)
                               ORDER BY s.closing_date DESC, s.statement_id DESC LIMIT 1) st ON true
            ORDER BY b.bank_account_id
            """) {
            let (id, bin, number, ledger, postings, closing, closingDate) =
                try row.decode((Int64, String, String, Money, Int64, Money?, CalendarDate?).self)
            let items = try explainingItems(schoolID: schoolID, bankAccountID: id, monthEnd: monthEnd,
                                            statementDate: closing == nil ? nil : closingDate, on: connection)
            facts.append(BankAccountFacts(
                agreement: BankAccountAgreement(bankName: bankName(bin), accountNumber: number, ledgerBalance: ledger,
                                                statementClosingBalance: closing, statementDate: closing == nil ? nil : closingDate,
                                                explainingItems: items),
                hasActivity: postings > 0))
        }
        return facts
    }

    static func explainingItems(schoolID: Int64, bankAccountID: Int64, monthEnd: CalendarDate, statementDate: CalendarDate?,
                                on connection: PostgresConnection) throws -> [ExplainingItem] {
        var items: [ExplainingItem] = []
        var restCount = 0
        var restAmount: Int64 = 0
        for row in try connection.query("""
            SELECT t.bank_transaction_id, t.direction, t.amount, t.booked_on, t.status, t.origin, t.bank_reference, t.memo,
                   e.effective_date <= \(monthEnd) AS in_ledger
            FROM bank_transactions t \(unescaped: LedgerReads.entryJoin(as: "e", school: "t.school_id", entry: "t.entry_id"))
            WHERE t.school_id = \(schoolID) AND t.bank_account_id = \(bankAccountID)
              AND ((e.effective_date <= \(monthEnd) AND (t.status = 'provisional' OR (\(statementDate)::date IS NOT NULL AND t.booked_on > \(statementDate)::date)))
                OR (e.effective_date > \(monthEnd) AND t.status = 'confirmed' AND t.booked_on <= \(statementDate)::date))
            ORDER BY t.booked_on, t.bank_transaction_id
            """) {
            let (id, direction, amount, booked, status, origin, reference, memo, inLedger) =
                try row.decode((Int64, String, Money, CalendarDate, String, String, String?, String, Bool).self)
            let signed = direction == "in" ? amount : amount.negated
            let contribution = inLedger ? signed : signed.negated
            guard items.count < itemsListedMax else {
                restCount += 1
                restAmount += contribution.dong // bounded: each ≤ 10^15, rows bounded by the school's transactions
                continue
            }
            items.append(item(id: id, status: status, origin: origin, inLedger: inLedger, booked: booked, contribution: contribution,
                              reference: reference, memo: memo, statementDate: statementDate))
        }
        if restCount > 0 {
            items.append(ExplainingItem(kind: .other, date: monthEnd, amount: Money(dong: restAmount), reference: nil,
                                        memo: "\(restCount) khoản khác chưa liệt kê"))
        }
        return items
    }

    static func item(id: Int64, status: String, origin: String, inLedger: Bool, booked: CalendarDate, contribution: Money,
                     reference: String?, memo: String, statementDate: CalendarDate?) -> ExplainingItem {
        let kind: ExplainingItemKind
        let note: String
        if inLedger && status == "provisional" {
            kind = .callbackNotOnStatement
            note = "Giao dịch \(id), báo có chưa được sao kê xác nhận"
        } else if inLedger {
            kind = .other
            note = "Giao dịch \(id), trên sao kê sau ngày \(statementDate?.vietnamese ?? "")"
        } else {
            kind = origin == "statement" ? .statementLineWithoutCallback : .other
            note = "Giao dịch \(id), ghi sổ sau cuối tháng (tháng đã khóa sổ)"
        }
        let text = memo.isEmpty ? note : note + ": " + String(memo.prefix(memoCharactersMax))
        return ExplainingItem(kind: kind, date: booked, amount: contribution, reference: reference, memo: text)
    }

    /// Statement lines of the month that no callback announced: how many and their signed total.
    static func statementOnly(schoolID: Int64, month: CalendarMonth, on connection: PostgresConnection) throws -> (count: Int, total: Money) {
        let row = try connection.query("""
            SELECT count(*), coalesce(sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END), 0)::int8 FROM bank_transactions
            WHERE school_id = \(schoolID) AND origin = 'statement' AND booked_on BETWEEN \(month.firstDay) AND \(month.lastDay)
            """).singleRow()!
        return try row.decode((Int, Money).self)
    }
}
