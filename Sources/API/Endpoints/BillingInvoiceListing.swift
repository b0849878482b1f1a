import Billing
import Core
import Ledger
import Postgres

/// One page of a school's invoices by number, filtered by period, class, student and status, with what the
/// ledger says now. `InvoiceQueries.list` has no cursor, so the page is read here with the same facts:
/// outstanding = the receivable balance of the invoice dimension, void = its entry was reversed.
enum BillingInvoiceListing {
    struct Filter {
        var period: CalendarMonth?
        var className: String?
        var studentID: Int64?
        var status: InvoiceStatus?
    }

    static func page(school: School, filter: Filter, page: BillingPage, on connection: PostgresConnection) throws -> InvoiceList {
        let after = try page.after.map { key -> InvoiceNumber in
            guard let number = BillingLookup.invoiceNumber(key) else {
                throw APIError.invalidParameter("after", "not an invoice number like 2026-000123")
            }
            return number
        }
        let rows = try connection.query("""
            SELECT school_year, number, payment_code, student_code, student_name, class_name, period, issued_on, due_date,
                   total, outstanding, reversed
            FROM (SELECT i.*, coalesce(d.balance, 0) AS outstanding, (r.entry_id IS NOT NULL) AS reversed
                  FROM invoices i
                  LEFT JOIN dimension_balances d ON d.school_id = i.school_id AND d.account_id = i.receivable_account_id
                                                 AND d.dimension = 'invoice' AND d.dimension_id = i.invoice_id
                  LEFT JOIN journal_entries r ON r.school_id = i.school_id AND r.reverses_entry_id = i.entry_id
                  WHERE i.school_id = \(school.id)
                    AND (\(filter.period)::date IS NULL OR i.period = \(filter.period))
                    AND (\(filter.className)::text IS NULL OR i.class_name = \(filter.className))
                    AND (\(filter.studentID)::int8 IS NULL OR i.student_id = \(filter.studentID))
                    AND (i.school_year, i.number) > (\(after?.schoolYear ?? 0), \(after?.sequence ?? 0))) AS facts
            WHERE \(unescaped: statusCondition(filter.status))
            ORDER BY school_year, number
            LIMIT \(page.limit + 1)
            """).map { row in try decode(row, school: school, wanted: filter.status) }
        let (items, next) = page.page(rows) { $0.number.replacingOccurrences(of: "/", with: "-") }
        return InvoiceList(items: items, nextAfter: next)
    }

    /// The SQL side of `InvoiceStatus.derive` for one status (constant text: no value of the request reaches it).
    static func statusCondition(_ status: InvoiceStatus?) -> String {
        switch status {
        case nil: return "true"
        case .void: return "reversed"
        case .overpaid: return "NOT reversed AND outstanding < 0"
        case .paid: return "NOT reversed AND outstanding = 0"
        case .open: return "NOT reversed AND outstanding > 0 AND outstanding >= total"
        case .partlyPaid: return "NOT reversed AND outstanding > 0 AND outstanding < total"
        }
    }

    static func decode(_ row: PostgresRow, school: School, wanted: InvoiceStatus?) throws -> InvoiceSummaryView {
        let (year, sequence, code, studentCode, name, className, period, issuedOn, dueDate, total, outstanding, reversed) =
            try row.decode((Int, Int, String, String, String, String, CalendarMonth, CalendarDate, CalendarDate, Money, Money, Bool).self)
        let status = InvoiceStatus.derive(total: total, outstanding: outstanding, reversed: reversed)
        // The filter above and `derive` must agree, as Billing's own listing checks its SQL rule.
        precondition(wanted == nil || wanted == status, "invoice status filter disagrees with InvoiceStatus.derive")
        let number = InvoiceNumber(schoolYear: year, sequence: sequence)
        let paid = status == .void ? Money.zero : Money(dong: total.dong - outstanding.dong)
        return InvoiceSummaryView(number: number.text, href: InvoiceSummaryView.href(number, school: school), paymentCode: code,
                                  studentCode: studentCode, studentName: name, className: className, period: period, issuedOn: issuedOn,
                                  dueDate: dueDate, total: total, paid: paid, outstanding: outstanding, status: status.rawValue)
    }
}
