import Core
import Ledger

/// The bank booking entry of a bank transaction, built here only: the bank account's ledger account
/// against suspense (or, for a bank's fee line, against bank fees), both postings carrying the
/// transaction's dimension, signed (money out is negative), under the key `bank-transaction:<id>:booking`
/// so a transaction is booked once however often it is seen.
public enum BankBooking {
    public static func idempotencyKey(transactionID: Int64) -> String { "bank-transaction:\(transactionID):booking" }

    /// `signed`: positive for money in, negative for money out. `counterpartAccountID`: suspense, or bank fees.
    public static func entry(schoolID: Int64, transactionID: Int64, effectiveDate: CalendarDate, signed: Money,
                             bankLedgerAccountID: Int64, counterpartAccountID: Int64, kind: EntryKind = .paymentReceived,
                             description: String) -> JournalEntryRequest {
        let dimensions = PostingDimensions(bankTransactionID: transactionID)
        return JournalEntryRequest(
            schoolID: schoolID, effectiveDate: effectiveDate, kind: kind, description: description,
            idempotencyKey: idempotencyKey(transactionID: transactionID), references: EntryReferences(bankTransactionID: transactionID),
            postings: [PostingRequest(accountID: bankLedgerAccountID, amount: signed, dimensions: dimensions),
                       PostingRequest(accountID: counterpartAccountID, amount: signed.negated, dimensions: dimensions)])
    }
}
