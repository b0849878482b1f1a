import Billing
import Core
import Ledger
import Postgres

/// One page of a school's invoices by number. Billing reads them (`InvoiceQueries.list`, which owns the
/// status rule and the ledger facts); this only turns the `after` cursor into an invoice number and the
/// rows into views.
enum BillingInvoiceListing {
    static func page(school: School, filter: InvoiceFilter, page: BillingPage, on connection: PostgresConnection) throws -> InvoiceList {
        let after = try page.after.map { key -> InvoiceNumber in
            guard let number = BillingLookup.invoiceNumber(key) else {
                throw APIError.invalidParameter("after", "not an invoice number like 2026-000123")
            }
            return number
        }
        let invoices = try InvoiceQueries.list(schoolID: school.id, filter: filter, after: after, limit: page.limit + 1, on: connection)
        let rows = invoices.map { InvoiceSummaryView($0, school: school) }
        let (items, next) = page.page(rows) { $0.number.replacingOccurrences(of: "/", with: "-") }
        return InvoiceList(items: items, nextAfter: next)
    }
}
