import Testing
import TestSupport
@testable import Billing

/// `StudentRules.collapse` returns a name already collapsed as it is, and collapses the others as the
/// split and join by Unicode White_Space did, on varied names (Vietnamese both ways, spaces of every kind).
@Suite struct NameCollapseTests {
    static func reference(_ text: String) -> String {
        text.unicodeScalars.split(whereSeparator: { $0.properties.isWhitespace })
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    @Test func collapsesAsTheSplitAndJoin() {
        let pieces: [String] = ["Nguyễn", "Văn", "Đức", "Nguye\u{0302}\u{0303}n", " ", "  ", "\t", "\n", "\u{00A0}", "\u{3000}", "\u{2003}",
                                "\u{0301}", "Trần Thị Bé", "A", "学", "", " \u{0301}"]
        var random = SplitMix64(seed: 0x60)
        var samples = ["", " ", "Nguyễn Văn An", " Nguyễn Văn An", "Nguyễn Văn An ", "Nguyễn  Văn An", "Nguyễn\u{00A0}Văn", "a \u{0301}b"]
        for _ in 0..<3_000 {
            samples.append((0..<Int.random(in: 0...6, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined())
        }
        for sample in samples {
            #expect(StudentRules.collapse(sample) == Self.reference(sample), "\(sample.debugDescription)")
            #expect(StudentRules.isCollapsed(sample) == (Self.reference(sample) == sample), "\(sample.debugDescription)")
        }
    }
}
