/// How banks display a payer's or pupil's name to whoever typed a code: every word but the last
/// reduced to its first letter and stars, the given name kept ("Nguyễn Văn An" → "N***** V** An"),
/// so a guessed code does not reveal a family's full name.
public enum CollectionNames {
    public static func masked(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0 == " " })
        guard words.count > 1 else { return words.first.map { String($0.prefix(1)) + String(repeating: "*", count: max(0, $0.count - 1)) } ?? "" }
        let masked = words.dropLast().map { String($0.prefix(1)) + String(repeating: "*", count: $0.count - 1) }
        return (masked + [String(words.last!)]).joined(separator: " ")
    }
}
