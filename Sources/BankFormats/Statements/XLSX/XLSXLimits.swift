/// Every size and count the `.xlsx` reader accepts; past one the file is refused with a clear error.
public enum XLSXLimits {
    /// The largest workbook file read (it is held in memory: the ZIP directory is at its end).
    public static let archiveBytesMax = 64 * 1024 * 1024
    /// Entries in the archive.
    public static let entriesMax = 10_000
    /// One entry name.
    public static let entryNameBytesMax = 1_024
    /// One decompressed entry (the sheet of a million rows is about 150 MB).
    public static let entryBytesMax = 256 * 1024 * 1024
    /// Small parts (workbook, relationships, styles, content types) decompressed.
    public static let partBytesMax = 8 * 1024 * 1024
    /// Decompressed size over compressed size of one entry. Real sheets compress 5–30 times (a bank's
    /// 100,000-row export about 10); deflate's own ceiling is about 1032, which only crafted data (a zip
    /// bomb) approaches.
    public static let compressionRatioMax = 100
    /// Strings in the shared string table.
    public static let sharedStringsMax = 5_000_000
    /// Rows of a sheet (Excel's own limit).
    public static let rowsMax = 1_048_576
    /// Columns read per row (as for a CSV record).
    public static let columnsMax = StatementLimits.fieldsPerRecordMax
    /// One cell's text.
    public static let cellBytesMax = StatementLimits.recordBytesMax
}
