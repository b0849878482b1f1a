import Core
import Ledger
import Postgres

/// The outcome of voiding an invoice.
public struct VoidedInvoice: Hashable, Sendable, Codable {
    public var invoiceID: Int64
    public var number: InvoiceNumber
    /// The reversal of the invoice's entry.
    public var reversalEntryID: Int64
}

extension InvoiceIssuer {
    /// Voids an invoice by reversing its ledger entry, inside the caller's transaction. Allowed only
    /// while nothing is applied to it: its receivable balance still equals its total and no live
    /// payment application (one not unapplied) references it. Its number stays used; the student
    /// and month may be invoiced again.
    ///
    /// - Parameter effectiveDate: the reversal's date; by default today, or the invoice's own date if later.
    public static func void(schoolID: Int64, invoiceID: Int64, reason: String, effectiveDate: CalendarDate? = nil,
                            on connection: PostgresConnection) throws(BillingError) -> VoidedInvoice {
        guard let reason = RecordedReason.normalized(reason) else { throw .invalidField(field: "reason", problem: RecordedReason.problem) }
        return try BillingError.wrapping {
            guard try connection.query("""
                SELECT 1 FROM invoices WHERE school_id = \(schoolID) AND invoice_id = \(invoiceID) FOR UPDATE
                """).singleRow() != nil, let invoice = try InvoiceQueries.invoice(schoolID: schoolID, id: invoiceID, on: connection) else {
                throw BillingError.unknownInvoice("id \(invoiceID)")
            }
            try checkVoidable(invoice, schoolID: schoolID, on: connection)
            let date = effectiveDate ?? max(VietnamTime.today, invoice.period.firstDay)
            let key = "void:invoice:\(invoice.id)"
            let request = try Reversals.request(schoolID: schoolID, entryID: invoice.entryID, effectiveDate: date, idempotencyKey: key,
                                                description: "Hủy hóa đơn \(invoice.number.text): \(reason.prefix(BillingLimits.reasonInDescriptionCharactersMax))", on: connection)
            try Reversals.checkNotReversed(schoolID: schoolID, entryID: invoice.entryID, idempotencyKey: key, on: connection)
            let reversal = try LedgerWriter.post([request], on: connection)[0]
            try connection.query("""
                UPDATE invoices SET void_entry_id = \(reversal.entryID), void_reason = \(reason)
                WHERE school_id = \(schoolID) AND invoice_id = \(invoiceID)
                """)
            return VoidedInvoice(invoiceID: invoice.id, number: invoice.number, reversalEntryID: reversal.entryID)
        }
    }

    static func checkVoidable(_ invoice: Invoice, schoolID: Int64, on connection: PostgresConnection) throws {
        guard invoice.status != .void else {
            throw BillingError.invoiceNotVoidable("invoice \(invoice.number.text) is already void")
        }
        let applied = try connection.query("""
            SELECT count(*) FROM payment_applications
            WHERE school_id = \(schoolID) AND invoice_id = \(invoice.id) AND unapply_entry_id IS NULL
            """).singleRow()!.decode(column: 0, as: Int.self)
        guard applied == 0, invoice.outstanding == invoice.total else {
            throw BillingError.invoiceNotVoidable("invoice \(invoice.number.text) has payments applied (\(invoice.paid) of \(invoice.total)); "
                                                  + "unapply them before voiding")
        }
    }
}
