/// Bounds on what one printed document holds; a value beyond them is refused with a `DocumentError`.
public enum DocumentLimits {
    /// Any single text (a name, a fee name, a memo, a reason).
    public static let textCharactersMax = 300
    /// Fee lines on one notice: a month's tuition and agreed collections fit on one A4 page.
    public static let noticeLinesMax = 30
    /// Invoices paid by one receipt (several months of several siblings).
    public static let receiptItemsMax = 40
    /// Students named on one receipt (siblings paid together).
    public static let receiptStudentsMax = 10
    /// The inline QR code image; a version-10 symbol as a path is about 10 KB.
    public static let qrCodeSVGBytesMax = 200_000
}
