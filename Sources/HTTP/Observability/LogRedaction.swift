/// Masks what must never reach a log line even when an error message quotes it: account and card
/// numbers (runs of 9 or more digits keep only their last 4) and API tokens (`tt_…`).
public enum LogRedaction {
    static let digitRunMin = 9
    static let tokenPrefix: [UInt8] = Array("tt_".utf8)

    public static func mask(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index...].starts(with: tokenPrefix) {
                var end = index + tokenPrefix.count
                while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
                if end - index >= 20 {
                    output += Array("tt_[redacted]".utf8)
                    index = end
                    continue
                }
            }
            if isDigit(bytes[index]) {
                var end = index
                while end < bytes.count, isDigit(bytes[end]) { end += 1 }
                if end - index >= digitRunMin {
                    output += [UInt8](repeating: UInt8(ascii: "*"), count: end - index - 4) + bytes[(end - 4)..<end]
                } else {
                    output += bytes[index..<end]
                }
                index = end
                continue
            }
            output.append(bytes[index])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
