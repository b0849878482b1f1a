/// Bounds of a VietQR payload and of its parts.
public enum VietQRLimits {
    /// EMVCo merchant-presented QR payloads are at most 512 characters.
    public static let payloadCharactersMax = 512
    /// A TLV length is two decimal digits.
    public static let itemValueCharactersMax = 99
    /// NAPAS: account or card number of at most 19 characters.
    public static let accountCharactersMax = 19
    /// EMVCo id 54 holds at most 13 characters; đồng have no decimals, so 13 digits.
    public static let amountDigitsMax = 13
    /// Banks keep at most 25 characters of the purpose of transaction (id 62.08).
    public static let memoCharactersMax = 25
    public static let bankBINDigits = 6
}
