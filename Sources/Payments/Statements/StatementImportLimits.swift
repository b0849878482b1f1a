import Ledger

/// Every size and count of a statement import, named. The parser's own limits (file bytes, lines per
/// file, memo bytes) are in `StatementLimits`; these bound what the import keeps and sends.
public enum StatementImportLimits {
    /// Parsed lines buffered before they are sent to the staging table in one COPY.
    public static let copyBatchLines = 5_000
    /// New lines booked per ledger batch (`LedgerWriter.post` takes at most this many entries).
    public static let bookingBatchLines = LedgerLimits.entriesPerBatchMax
    /// Lines compared with provisional callbacks at a time (best-first within each page, pages in file order).
    public static let confirmationPageLines = 20_000
    /// Days between a callback's `booked_on` and the booking date of the line that confirms it.
    public static let confirmationWindowDays = 3
    /// Provisional callbacks of one bank account an import compares its lines with.
    public static let provisionalCallbacksMax = 200_000
    /// Conflicting lines and ambiguous confirmations listed in a result (all of them are counted).
    public static let reportedItemsMax = 1_000
    /// A bank reference longer than this is hashed in the duplicate key (the key column holds 300).
    public static let referenceKeyBytesMax = 200
    /// Memo characters kept on the bank transaction, as `IncomingBatch.insert` keeps them.
    public static let transactionMemoCharactersMax = BankTransactions.memoBytesMax / 4
    /// Memo characters quoted in a booking entry's description.
    public static let descriptionMemoCharactersMax = 100
    /// Bank references longer than this are not copied to the bank transaction (its column holds 100).
    public static let transactionReferenceCharactersMax = 100
    public static let payerNameCharactersMax = 200
    public static let payerAccountCharactersMax = 64
    /// A statement reference longer than this is cut when recorded (the column holds 100).
    public static let statementReferenceCharactersMax = 100
    public static let fileNameCharactersMax = 255
    public static let importedByCharactersMax = 200
    /// Lines of one camt.054 notification file: recorded in memory, then in batches of `IncomingBatch.transactionsMax`.
    public static let notificationLinesMax = 50_000
}
