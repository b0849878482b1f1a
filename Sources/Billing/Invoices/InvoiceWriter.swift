import Core
import Ledger
import Postgres

/// Writes composed invoices in bounded batches, each in a handful of round trips: reserve numbers,
/// serials and ids; post the ledger entries (one batch call); insert invoices and lines.
enum InvoiceWriter {
    static func write(_ drafts: [InvoiceDraft], context: IssueContext, issuedOn: CalendarDate, issuedBy: String,
                      summary: inout IssueSummary, progress: (IssueProgress) -> Void, on connection: PostgresConnection) throws {
        var written = 0
        // Numbers run per school year, so a batch never spans two.
        for year in Set(drafts.map(\.period.schoolYear)).sorted() {
            let ofYear = drafts.filter { $0.period.schoolYear == year }
            var start = 0
            while start < ofYear.count {
                let batch = Array(ofYear[start..<min(start + BillingLimits.invoicesPerBatchMax, ofYear.count)])
                let ids = try writeBatch(batch, schoolYear: year, context: context, issuedOn: issuedOn, issuedBy: issuedBy, on: connection)
                summary.issuedInvoiceIDs += ids
                for draft in batch { summary.totalIssued = try summary.totalIssued.adding(draft.total) }
                start += batch.count
                written += batch.count
                progress(IssueProgress(written: written, toWrite: drafts.count))
            }
        }
    }

    static func writeBatch(_ batch: [InvoiceDraft], schoolYear: Int, context: IssueContext, issuedOn: CalendarDate, issuedBy: String,
                           on connection: PostgresConnection) throws -> [Int64] {
        let schoolID = context.school.id
        let firstNumber = try BillingCounter.reserve(.invoiceNumber, schoolID: schoolID, schoolYear: schoolYear, count: batch.count, on: connection)
        let firstSerial = try BillingCounter.reserve(.invoiceSerial, schoolID: schoolID, schoolYear: 0, count: batch.count, on: connection)
        let ids = try connection.query("""
            SELECT nextval('invoices_invoice_id_seq') FROM generate_series(1, \(batch.count))
            """).map { try $0.decode(column: 0, as: Int64.self) }
        var numbers: [InvoiceNumber] = [], codes: [String] = [], requests: [JournalEntryRequest] = []
        for (index, draft) in batch.enumerated() {
            let number = InvoiceNumber(schoolYear: schoolYear, sequence: Int(firstNumber) + index)
            numbers.append(number)
            codes.append(try PaymentCode(prefix: context.school.paymentCodePrefix, kind: .invoice, serial: UInt64(firstSerial) + UInt64(index)).text)
            requests.append(InvoiceComposer.entry(draft, invoiceID: ids[index], number: number, context: context))
        }
        let posted = try LedgerWriter.post(requests, on: connection)
        // A replay would mean an entry exists without its invoice: impossible under the issuing lock.
        precondition(posted.allSatisfy { !$0.replayed }, "an invoice entry was already booked without its invoice")
        try insertInvoices(batch, ids: ids, numbers: numbers, codes: codes, entries: posted.map(\.entryID), context: context,
                           issuedOn: issuedOn, issuedBy: issuedBy, on: connection)
        try insertLines(batch, ids: ids, schoolID: schoolID, on: connection)
        return ids
    }

    static func insertInvoices(_ batch: [InvoiceDraft], ids: [Int64], numbers: [InvoiceNumber], codes: [String], entries: [Int64],
                               context: IssueContext, issuedOn: CalendarDate, issuedBy: String, on connection: PostgresConnection) throws {
        let schoolID = context.school.id
        try connection.query("""
            INSERT INTO invoices (school_id, invoice_id, school_year, number, student_id, family_id, period, issued_on, due_date,
                                  payment_code, student_code, student_name, class_name, gross, discount, total,
                                  receivable_account_id, entry_id, issued_by)
            SELECT \(schoolID), u.id, \(numbers[0].schoolYear), u.n, u.s, u.f, u.p::date, \(issuedOn), u.d::date, u.c, u.sc, u.sn, u.cn,
                   u.g, u.ds, u.t, \(context.receivableAccountID), u.e, \(issuedBy)
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(numbers.map { Int64($0.sequence) })),
                        \(PostgresInt64Array(batch.map(\.studentID))), \(PostgresNullableInt64Array(batch.map(\.familyID))),
                        \(PostgresTextArray(batch.map(\.period.firstDay.iso))), \(PostgresTextArray(batch.map(\.dueDate.iso))),
                        \(PostgresTextArray(codes)), \(PostgresTextArray(batch.map(\.studentCode))),
                        \(PostgresTextArray(batch.map(\.studentName))), \(PostgresTextArray(batch.map(\.className))),
                        \(PostgresInt64Array(batch.map(\.gross.dong))), \(PostgresInt64Array(batch.map(\.discount.dong))),
                        \(PostgresInt64Array(batch.map(\.total.dong))), \(PostgresInt64Array(entries)))
                 AS u(id, n, s, f, p, d, c, sc, sn, cn, g, ds, t, e)
            """)
    }

    static func insertLines(_ batch: [InvoiceDraft], ids: [Int64], schoolID: Int64, on connection: PostgresConnection) throws {
        var invoiceIDs: [Int64] = [], lineNumbers: [Int64] = [], feeTypes: [Int64] = [], schedules: [Int64] = []
        var gross: [Int64] = [], discounts: [Int64] = [], nets: [Int64] = [], reasons: [String?] = []
        var days: [Int64?] = [], rates: [Int64?] = [], credited: [Int64?] = [], stateShares: [Int64] = []
        for (draft, id) in zip(batch, ids) {
            precondition(draft.lines.count <= BillingLimits.linesPerInvoiceMax)
            for (index, line) in draft.lines.enumerated() {
                invoiceIDs.append(id)
                lineNumbers.append(Int64(index + 1))
                feeTypes.append(line.feeTypeID)
                schedules.append(line.scheduleID)
                gross.append(line.gross.dong)
                discounts.append(line.discount.dong)
                nets.append(line.net.dong)
                reasons.append(line.reasons.isEmpty ? nil : String(line.reasons.joined(separator: "; ").prefix(BillingLimits.lineDiscountReasonCharactersMax)))
                days.append(line.days.map { Int64($0.billed) })
                rates.append(line.days?.rate.dong)
                credited.append(line.days.map { Int64($0.credited) })
                stateShares.append(line.stateShare.dong)
            }
        }
        try connection.query("""
            INSERT INTO invoice_lines (school_id, invoice_id, line, fee_type_id, schedule_id, gross, discount, net, discount_reason,
                                       quantity, unit_price, credited_days, state_share)
            SELECT \(schoolID), u.i, u.l::smallint, u.f, u.s, u.g, u.d, u.n, u.r, u.q::int4, u.p, u.c::int4, u.ss
            FROM unnest(\(PostgresInt64Array(invoiceIDs)), \(PostgresInt64Array(lineNumbers)), \(PostgresInt64Array(feeTypes)),
                        \(PostgresInt64Array(schedules)), \(PostgresInt64Array(gross)), \(PostgresInt64Array(discounts)),
                        \(PostgresInt64Array(nets)), \(PostgresNullableTextArray(reasons)), \(PostgresNullableInt64Array(days)),
                        \(PostgresNullableInt64Array(rates)), \(PostgresNullableInt64Array(credited)), \(PostgresInt64Array(stateShares)))
                 AS u(i, l, f, s, g, d, n, r, q, p, c, ss)
            """)
    }
}
