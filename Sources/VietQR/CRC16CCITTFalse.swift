/// CRC-16/CCITT-FALSE, the checksum in id `63` of an EMVCo QR payload:
/// polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor. Check value: "123456789" → 0x29B1.
public enum CRC16CCITTFalse {
    static let polynomial: UInt16 = 0x1021
    static let initialValue: UInt16 = 0xFFFF

    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc = initialValue
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ polynomial : crc << 1
            }
        }
        return crc
    }

    /// Four upper-case hexadecimal digits, zero-padded: the form the payload carries.
    public static func hexDigits(_ crc: UInt16) -> String {
        let digits = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
