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
        let ids = try PaymentsBulkLoad.statementLines(schoolID: schoolID, bankAccountID: school.bankAccountID, transfers.map {
            PaymentsBulkLoad.StatementLineRow(amount: $0.amount, bookedOn: $0.bookingDate, memo: $0.memo, payerName: $0.payerName,
                                              virtualAccount: $0.virtualAccount, bankReference: "SIM-\($0.id)")
        }, on: connection)
        let booked = transfers.map { transfer in
            var transaction = transfer
            transaction.id = ids["SIM-\(transfer.id)"]!
            return transaction
        }
        let entries = try LedgerWriter.post(booked.map { booking($0, school: school) }, on: connection).map(\.entryID)
        try PaymentsBulkLoad.bookingEntries(schoolID: schoolID, transactionIDs: booked.map(\.id), entries: entries, on: connection)
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
        try PaymentsBulkLoad.statement(schoolID: school.school.id, bankAccountID: school.bankAccountID, fileName: "bench-\(month.iso).sta",
                                       month: month, lineCount: lines.count, closingBalance: total, on: connection)
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
