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

    /// An item's key and value, found on bytes in an ASCII header, are those the search by Character finds.
    @Test func keyAndValueAsTheSearchByCharacter() {
        let pieces = ["t", "v1", "=", "==", "1733390000", "ab12", " ", "\r\n", "\r", "\n", "é", "=\u{0301}", "\u{0301}", "😀", ""]
        var random = SplitMix64(seed: 0x3D)
        var items: [Substring] = ["", "=", "t=", "=1", "t=1", "v1=aa=bb", "t=\r\n", "\r\n=x"]
        for _ in 0..<3_000 {
            items.append(Substring((0..<Int.random(in: 0...6, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()))
        }
        var asciiCompared = 0
        for item in items {
            let byCharacter = TimestampedHMACScheme.keyAndValue(of: item, headerIsASCII: false)
            guard item.utf8.allSatisfy({ $0 < 0x80 }) else { continue }
            asciiCompared += 1
            let byBytes = TimestampedHMACScheme.keyAndValue(of: item, headerIsASCII: true)
            #expect(byBytes?.key == byCharacter?.key && byBytes?.value == byCharacter?.value, "\(item.debugDescription)")
            #expect((byBytes == nil) == (byCharacter == nil), "\(item.debugDescription)")
        }
        #expect(asciiCompared > 500)
    }
}
