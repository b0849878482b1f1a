import Billing
import Core
import Crypto
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation

/// The month's bank lines of a bench school, as a statement import books them: one
/// `bank_transactions` row each (statement lines, confirmed), the booking entries through
/// `LedgerWriter` in one batch, and the statement with its closing balance; then the automatic
/// application of what the matcher is certain of, through the same code a real import uses.
enum BenchBankLines {
    static func book(_ transfers: [MatchTransaction], school: BenchSchool, shortBy: Int64,
                     on connection: PostgresConnection) throws -> [MatchTransaction] {
        guard !transfers.isEmpty else { return [] }
        let schoolID = school.school.id
        var byReference: [String: MatchTransaction] = [:]
        for transfer in transfers { byReference["SIM-\(transfer.id)"] = transfer }
        let references = transfers.map { "SIM-\($0.id)" }
        let rows = try connection.query("""
            INSERT INTO bank_transactions (school_id, bank_account_id, origin, direction, amount, booked_on, memo, normalized_memo, payer_name,
                                           virtual_account, bank_reference, status, confirmed_at)
            SELECT \(schoolID), \(school.bankAccountID), 'statement', 'in', u.a, u.d::date, u.m, u.nm, nullif(u.p, ''), nullif(u.v, ''), u.r,
                   'confirmed', now()
            FROM unnest(\(PostgresInt64Array(transfers.map(\.amount.dong))), \(PostgresTextArray(transfers.map(\.bookingDate.iso))),
                        \(PostgresTextArray(transfers.map(\.memo))), \(PostgresTextArray(transfers.map { VietnameseText.normalized($0.memo) })),
                        \(PostgresTextArray(transfers.map { $0.payerName ?? "" })), \(PostgresTextArray(transfers.map { $0.virtualAccount ?? "" })),
                        \(PostgresTextArray(references))) AS u(a, d, m, nm, p, v, r)
            RETURNING bank_reference, bank_transaction_id
            """)
        var booked: [MatchTransaction] = []
        for row in rows {
            let (reference, id) = try row.decode((String, Int64).self)
            var transaction = byReference[reference]!
            transaction.id = id
            booked.append(transaction)
        }
        let entries = try LedgerWriter.post(booked.map { booking($0, school: school) }, on: connection).map(\.entryID)
        try connection.query("""
            UPDATE bank_transactions t SET entry_id = u.e FROM unnest(\(PostgresInt64Array(booked.map(\.id))), \(PostgresInt64Array(entries))) AS u(i, e)
            WHERE t.school_id = \(schoolID) AND t.bank_transaction_id = u.i
            """)
        try statement(booked, school: school, shortBy: shortBy, on: connection)
        return MatchRun.bookingOrder(booked)
    }

    /// Dr bank / Cr suspense (Payments builds it), on its booking day.
    static func booking(_ transaction: MatchTransaction, school: BenchSchool) -> JournalEntryRequest {
        BankBooking.entry(schoolID: school.school.id, transactionID: transaction.id, effectiveDate: transaction.bookingDate,
                          signed: transaction.amount, bankLedgerAccountID: school.bankLedgerAccountID,
                          counterpartAccountID: school.suspenseAccountID,
                          description: "Received \(MoneyFormat.vietnamese(transaction.amount)) by bank: \(transaction.memo.prefix(300))")
    }

    /// The month's statement: every line, closing at their sum (less `shortBy`, a bank charge the ledger never learns of).
    static func statement(_ lines: [MatchTransaction], school: BenchSchool, shortBy: Int64, on connection: PostgresConnection) throws {
        let month = lines[0].bookingDate.calendarMonth
        let total = try Money.sum(lines.map(\.amount)).subtracting(Money(dong: shortBy))
        let digest = SHA256Digest.hash(Array("bench statement \(school.school.code) \(month.iso)".utf8))
        let importID = try connection.query("""
            INSERT INTO statement_imports (school_id, bank_account_id, file_name, file_sha256, format, lines_total, lines_new, lines_known,
                                           callbacks_confirmed, lines_conflicting, imported_by)
            VALUES (\(school.school.id), \(school.bankAccountID), \("bench-\(month.iso).sta"), \(digest), 'mt940', \(lines.count), \(lines.count),
                    0, 0, 0, 'bench')
            RETURNING import_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
        try connection.query("""
            INSERT INTO bank_statements (school_id, import_id, bank_account_id, reference, opening_balance, opening_date, closing_balance,
                                         closing_date, line_count)
            VALUES (\(school.school.id), \(importID), \(school.bankAccountID), 'BENCH', 0, \(month.firstDay), \(total), \(month.lastDay),
                    \(lines.count))
            """)
    }

    /// What a statement import does after booking (`IncomingBatch.applyBooked`, in its batches): the
    /// matcher decides the lines in booking order; each decision is stored; certain ones are applied.
    static func applyAutomatically(_ transactions: [MatchTransaction], school: School, on connection: PostgresConnection) throws -> Int {
        let ids = transactions.map(\.id)
        var applied = 0
        for start in stride(from: 0, to: ids.count, by: IncomingBatch.transactionsMax) {
            applied += try IncomingBatch.applyBooked(Array(ids[start..<min(start + IncomingBatch.transactionsMax, ids.count)]), school: school,
                                                     on: connection)
        }
        return applied
    }
}
