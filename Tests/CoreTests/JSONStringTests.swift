import Core
import Foundation
import Testing

@Suite struct JSONStringTests {
    static let pieces = ["", "plain", "Nguyễn Văn An", "\"", "\\", "/", "\n", "\r\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}",
                         "– en dash", "…", "👩‍👧", "e\u{301}"]

    @Test func escapesExactlyWhatItMust() {
        #expect(JSONString.quoted("plain text") == #""plain text""#)
        #expect(JSONString.quoted("Nguyễn – An") == "\"Nguyễn – An\"")
        #expect(JSONString.quoted("a\"b\\c\nd\u{1}\u{2028}") == #""a\"b\\c\nd\u0001\u2028""#)
    }

    /// Every pair of pieces: the text reads back as itself, through the fast path or the scalar path.
    @Test func everyTextReadsBack() throws {
        for first in Self.pieces {
            for second in Self.pieces {
                let text = first + second
                let literal = "[" + JSONString.quoted(text) + "]"
                let parsed = try JSONSerialization.jsonObject(with: Data(literal.utf8)) as? [String]
                #expect(parsed == [text], "\(literal)")
                #expect(!literal.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
            }
        }
    }
}
