/// JSON string literals for the writers that build JSON text by hand (fixed key order, exact bytes).
public enum JSONString {
    /// RFC 8259: `"` and `\` escaped, control characters as `\n`-style or `\u00XX`, U+2028/2029 escaped too
    /// (harmless in JSON, fatal in some JavaScript), everything else as UTF-8.
    public static func append(_ text: String, to output: inout String) {
        output += "\""
        // Most texts need no escape: appended whole instead of scalar by scalar (the per-scalar
        // append showed in the server's profile: audit headers, matcher decisions).
        guard needsEscaping(text) else {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: false)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// True when some byte of `text` may need an escape: a control character, `"`, `\`, or the lead
    /// byte 0xE2 of U+2028/U+2029 (and of other characters, which then take the scalar path unchanged).
    static func needsEscaping(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0xE2 }
    }

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 2)
        append(text, to: &output)
        return output
    }
}
