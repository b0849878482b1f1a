/// Fixed-width decimal fields in ASCII bytes (dates, times, numbers of documents).
public enum ASCIIDigits {
    /// The value of `bytes` when every byte is `0`–`9` and there are at most 18 of them (no overflow);
    /// nil otherwise. An empty slice is 0: callers slice fixed widths.
    public static func value(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
