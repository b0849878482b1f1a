/// Every size and count the statement parsers accept. Input past a limit is refused with a clear error,
/// so memory stays bounded whatever the file holds.
public enum StatementLimits {
    /// The largest statement file accepted.
    public static let fileBytesMax = 200 * 1024 * 1024
    /// Bytes read from the file at a time.
    public static let chunkBytes = 64 * 1024
    /// One physical text line (MT940, CSV) without its line break.
    public static let lineBytesMax = 16 * 1024
    /// One CSV record, which may span several lines inside quotes.
    public static let recordBytesMax = 64 * 1024
    /// Physical lines in one file.
    public static let textLinesPerFileMax = 20_000_000
    /// Statement lines (movements) in one file.
    public static let statementLinesPerFileMax = 5_000_000
    /// Statements in one file.
    public static let statementsPerFileMax = 100_000
    /// Fields in one CSV record.
    public static let fieldsPerRecordMax = 256
    /// One MT940 field (a tag and its continuation lines).
    public static let mt940FieldBytesMax = 16 * 1024
    /// A memo after joining its lines or elements.
    public static let memoBytesMax = 8 * 1024
    /// Any other single text value (reference, name, account, element text).
    public static let valueBytesMax = 4 * 1024
    /// Nesting of XML elements.
    public static let xmlDepthMax = 48
    /// One XML markup token (`<...>`, a comment, a CDATA section) or one run of text.
    public static let xmlTokenBytesMax = 64 * 1024
    /// Attributes on one XML element.
    public static let xmlAttributesMax = 32
    /// `TxDtls` in one camt entry (a batch booking may carry many).
    public static let transactionDetailsPerEntryMax = 1_000
    /// `?nn` subfields in one MT940 `:86:` field.
    public static let subfieldsPerFieldMax = 64
    /// Rows searched for the CSV header row.
    public static let headerSearchRowsMax = 60
    /// Bytes at the start of a file read to detect its format.
    public static let detectionBytesMax = 64 * 1024
    /// Bytes of a CSV format description file.
    public static let descriptionBytesMax = 256 * 1024
    /// Warnings listed in parse output and an import result (all are counted).
    public static let warningsListedMax = 1_000
    /// CSV format descriptions in one catalog.
    public static let descriptionsMax = 1_000
}
