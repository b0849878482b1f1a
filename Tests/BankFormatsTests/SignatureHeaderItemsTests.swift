import Testing
import TestSupport
@testable import BankFormats

/// A signature header's items, split on bytes when the header is ASCII, are the split by Character.
@Suite struct SignatureHeaderItemsTests {
    @Test func itemsAsTheSplitByCharacter() {
        let pieces = ["t=1733390000", "v1=ab12", ",", ",,", "=", "==", "v1", " ", "\r\n", "\r", "\n", "é", ",\u{0301}", "=\u{0301}", "😀", "x=y=z", ""]
        var random = SplitMix64(seed: 0x90)
        var headers = ["", ",", "t=1,v1=aa", "t=1,v1=aa,", ",t=1"]
        for _ in 0..<3_000 {
            headers.append((0..<Int.random(in: 0...7, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined())
        }
        for header in headers {
            #expect(TimestampedHMACScheme.items(of: header) == header.split(separator: ",", omittingEmptySubsequences: false), "\(header.debugDescription)")
        }
    }
}
