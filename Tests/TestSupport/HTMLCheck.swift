/// A naive well-formedness check: every non-void element closed, in order.
public enum HTMLCheck {
    public static let voidElements: Set<String> = ["meta", "br", "link", "img", "input", "hr", "col", "area", "base", "source", "wbr"]

    /// Problems found (empty when balanced): an unexpected closing tag, or elements left open.
    public static func problems(_ html: String) -> [String] {
        var open: [String] = []
        var problems: [String] = []
        let bytes = Array(html.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else { index += 1; continue }
            guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
                problems.append("unterminated tag")
                break
            }
            let tag = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            index = end + 1
            if tag.hasPrefix("!") { continue }
            let closing = tag.hasPrefix("/")
            let name = String(tag.dropFirst(closing ? 1 : 0).prefix { $0.isLetter || $0.isNumber || $0 == "-" }).lowercased()
            if closing {
                if open.last == name { open.removeLast() } else { problems.append("</\(name)> closes <\(open.last ?? "nothing")>") }
            } else if !tag.hasSuffix("/") && !voidElements.contains(name) {
                open.append(name)
            }
        }
        if !open.isEmpty { problems.append("left open: \(open.joined(separator: " "))") }
        return problems
    }

    public static func count(_ needle: String, in text: String) -> Int { text.ranges(of: needle).count }

    /// Start tags of element `name` (`<name>` or `<name …>`, not `<names>`).
    public static func openings(_ name: String, in text: String) -> Int { count("<\(name)>", in: text) + count("<\(name) ", in: text) }
}
