import BankFormats
import Core

/// What the database accepts of a callback, checked before anything is written.
///
/// A genuine callback must never meet a CHECK constraint: the transaction would roll back, the
/// sender would get "unavailable" and retry the same bytes forever. So every value a callback
/// carries is judged here, against the columns it lands in (migrations/0004 and 0001):
///   * identities are refused as malformed when they do not fit (cutting them would merge two
///     payments): the provider's transaction id, the receiving account, the virtual account, the
///     booking date;
///   * free text is kept as the statement path keeps it (`StatementText.sanitized`: control
///     characters as spaces, cut to the column's length in PostgreSQL characters): memo, payer
///     name, payer account, payer bank.
/// Amounts are judged by the normaliser (`Money` bounds) and the ingest (money in only).
/// `CallbackDoorTests` reads the constraints from the database's catalog, so a new constraint
/// without a rule here fails it.
enum CallbackDoor {
    /// `bank_transactions.provider_transaction_id`.
    static let transactionIDCharactersMax = 200
    /// `bank_connection_accounts.receiving_account` (read, not written: a longer one names no connection).
    static let receivingAccountCharactersMax = 40
    /// `bank_transactions.virtual_account`.
    static let virtualAccountCharactersMax = 40
    /// `bank_transactions.memo` holds 2,000; a callback keeps what a statement line keeps.
    static let memoCharactersMax = StatementImportLimits.transactionMemoCharactersMax
    /// `bank_transactions.payer_name`.
    static let payerNameCharactersMax = StatementImportLimits.payerNameCharactersMax
    /// `bank_transactions.payer_account`.
    static let payerAccountCharactersMax = StatementImportLimits.payerAccountCharactersMax
    /// `bank_transactions.payer_bank`.
    static let payerBankCharactersMax = 100
    /// `journal_entries.effective_date` (2000-01-01 to 2999-12-31): the booking entry is dated on
    /// the booking date (or the first open day after it, never earlier).
    static let bookedOnYears = 2000...2999

    /// Why a callback was refused at the door: the field and what is wrong with it.
    struct Refusal: Error, CustomStringConvertible {
        let field: String
        let problem: String
        var description: String { "\(field): \(problem)" }
    }

    /// The callback with its free text made to fit, or the first value the database cannot take.
    static func admit(_ callback: NormalizedCallbackTransaction) throws(Refusal) -> NormalizedCallbackTransaction {
        try identity(callback.providerTransactionID, field: "transaction id", characterMax: transactionIDCharactersMax)
        // Looked up before the signature is checked: a NUL from a query (%00) must not reach PostgreSQL.
        try identity(callback.receivingAccount, field: "receiving account", characterMax: receivingAccountCharactersMax)
        if let virtualAccount = callback.virtualAccount {
            try identity(virtualAccount, field: "virtual account", characterMax: virtualAccountCharactersMax)
        }
        guard bookedOnYears.contains(callback.localDate.year) else {
            throw Refusal(field: "booking time", problem: "\(callback.localDate) is outside the years \(bookedOnYears.lowerBound) to \(bookedOnYears.upperBound)")
        }
        return NormalizedCallbackTransaction(
            provider: callback.provider, providerTransactionID: callback.providerTransactionID,
            receivingAccount: callback.receivingAccount, virtualAccount: callback.virtualAccount,
            amount: callback.amount, direction: callback.direction, occurredAt: callback.occurredAt, localDate: callback.localDate,
            memo: StatementText.sanitized(callback.memo, characterMax: memoCharactersMax),
            payerName: text(callback.payerName, characterMax: payerNameCharactersMax),
            payerAccount: text(callback.payerAccount, characterMax: payerAccountCharactersMax),
            payerBank: text(callback.payerBank, characterMax: payerBankCharactersMax),
            succeeded: callback.succeeded)
    }

    private static func identity(_ value: String, field: String, characterMax: Int) throws(Refusal) {
        guard value.unicodeScalars.count <= characterMax else {
            throw Refusal(field: field, problem: "longer than \(characterMax) characters")
        }
        // Printable ASCII (nearly every identity) holds no control character; only other text needs
        // the Unicode property lookup (C1 controls are U+0080–U+009F).
        let printableASCII = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard printableASCII || !value.unicodeScalars.contains(where: { $0.isControlCharacter }) else {
            throw Refusal(field: field, problem: "holds a control character")
        }
    }

    private static func text(_ value: String?, characterMax: Int) -> String? {
        value.map { StatementText.sanitized($0, characterMax: characterMax) }
    }
}
