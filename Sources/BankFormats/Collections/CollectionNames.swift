/// How banks display a payer's or pupil's name to whoever typed a code: every word but the last
/// reduced to its first letter and stars, the given name kept ("Nguyễn Văn An" → "N***** V** An"),
/// so a guessed code does not reveal a family's full name.
public enum CollectionNames {
    public static func masked(_ name: String) -> String {
        let words = name.split(separator: " ")
        // Built in one string: joined arrays of per-word strings showed in the inquiries' profile.
        var result = ""
        result.reserveCapacity(name.utf8.count)
        for (index, word) in words.enumerated() {
            if index > 0 { result += " " }
            if index > 0 && index == words.count - 1 {
                result += word
            } else if let first = word.first {
                result.append(first)
                result += String(repeating: "*", count: word.count - 1)
            }
        }
        return result
    }
}
