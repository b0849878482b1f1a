import Foundation
import Testing
import TestSupport
@testable import Core

/// The byte-level and table-driven text routines of the payment path answer as the Unicode and
/// Foundation routines they replace, on varied input: Vietnamese precomposed and with combining
/// marks, other scripts, white space of every kind, controls.
@Suite struct TextFastPathTests {
    /// Scalars the samples are drawn from: ASCII, Vietnamese letters both ways, marks, spaces of
    /// every kind, and scalars outside the fold table (CJK, Hangul, emoji, Cyrillic, Kelvin sign).
    static let alphabet: [Unicode.Scalar] = {
        var scalars: [Unicode.Scalar] = (0x20...0x7E).map { Unicode.Scalar($0)! }
        scalars += "ĐđƠơƯưĂăÂâÊêÔôàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ".unicodeScalars
        scalars += [0x0300, 0x0301, 0x0303, 0x0309, 0x0323, 0x0302, 0x0306, 0x031B, 0x0340, 0x0344, 0x0345, 0x034F, 0x0362]
            .map { Unicode.Scalar($0)! }
        scalars += [0x09, 0x0A, 0x0D, 0x00, 0x7F, 0x85, 0xA0, 0x1680, 0x2003, 0x2028, 0x202F, 0x3000, 0xFEFF, 0x200B]
            .map { Unicode.Scalar($0)! }
        scalars += "学校한국어😀Жж×÷ßæØÞǄǅǈ\u{212A}\u{2126}\u{1E9E}\u{1E9B}".unicodeScalars
        return scalars
    }()

    static func samples(count: Int, seed: UInt64, lengthMax: Int = 24) -> [String] {
        var random = SplitMix64(seed: seed)
        var samples = ["", " ", "\t", "Nguyễn Văn Đức", "Nguye\u{0302}\u{0303}n Va\u{0306}n \u{0110}u\u{031B}\u{0301}c",
                       "  trần__thị.bé-na//ABC  ", "Học phí tháng 9/2026", "\u{0301}a", "a\u{0301}\u{0323}b", "HP7K2Q9X",
                       "Thanh toa\u{0301}n ho\u{0323}c phi\u{0301} HP7K2Q9X", "  x ", "x\u{3000}", "\u{00A0}y"]
        for _ in 0..<count {
            let length = Int.random(in: 0...lengthMax, using: &random)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)]) }
            samples.append(String(text))
        }
        return samples
    }

    @Test func normalisedFromTheTableAsThroughDecomposition() {
        for sample in Self.samples(count: 3_000, seed: 0x13) {
            #expect(VietnameseText.normalized(sample) == VietnameseText.normalizedByDecomposition(sample), "\(sample.debugDescription)")
        }
    }

    /// Every scalar of the table alone, before a letter, after one and between two: as the decomposition reads it.
    @Test func everyScalarOfTheTableFoldsAsTheDecomposition() {
        let values = Array(0..<VietnameseText.LatinFold.firstBlockEnd) + Array(VietnameseText.LatinFold.secondBlock)
        var folded = 0
        for value in values {
            let scalar = Unicode.Scalar(value)!
            for text in [String(scalar), "a" + String(scalar), String(scalar) + "b", "a" + String(scalar) + "b"] {
                if let latin = VietnameseText.normalizedLatin(text) {
                    folded += 1
                    #expect(latin == VietnameseText.normalizedByDecomposition(text), "U+\(String(value, radix: 16))")
                }
            }
        }
        // The table answers for (nearly) all of it: the fast path is the one taken.
        #expect(folded > values.count * 4 * 9 / 10)
        #expect(VietnameseText.normalizedLatin("Nguyễn Văn Đức") == "NGUYEN VAN DUC")
        #expect(VietnameseText.normalizedLatin("学") == nil)
    }

    /// Precomposed (NFC) and decomposed (NFD) spellings of the same text normalise alike, both ways.
    @Test func precomposedAndDecomposedSpellingsAgree() {
        for sample in Self.samples(count: 1_000, seed: 0x20) {
            let nfc = sample.precomposedStringWithCanonicalMapping
            let nfd = sample.decomposedStringWithCanonicalMapping
            #expect(VietnameseText.normalized(nfc) == VietnameseText.normalized(nfd), "\(sample.debugDescription)")
            #expect(VietnameseText.normalized(nfd) == VietnameseText.normalizedByDecomposition(sample))
        }
    }

    @Test func trimmedAsFoundationTrims() {
        for sample in Self.samples(count: 3_000, seed: 0x7) + ["\t v=1 \t", "\u{3000}a\u{3000}", "a\u{2003}", " ", "\u{00A0}"] {
            #expect(TextFastPaths.trimmedOfWhitespace(sample) == sample.trimmingCharacters(in: .whitespaces), "\(sample.debugDescription)")
        }
    }

    @Test func caseInsensitiveEqualityAsLowercasing() {
        let names = ["X-Signature", "x-signature", "X-SIGNATURE", "x-signaturf", "X-Tuition-Signature", "", "İ", "i\u{0307}",
                     "\u{212A}ey", "Key", "key", "KEY", "straße", "STRASSE", "Ǆ", "ǆ", "ǅ", "Σ", "σ", "ς", "x-signatur\u{00E9}", "X-SIGNATUR\u{00C9}"]
        for a in names {
            for b in names {
                #expect(TextFastPaths.equalIgnoringCase(a, b) == (a.lowercased() == b.lowercased()), "\(a.debugDescription) \(b.debugDescription)")
            }
        }
        for (a, b) in zip(Self.samples(count: 2_000, seed: 0x31, lengthMax: 4), Self.samples(count: 2_000, seed: 0x32, lengthMax: 4)) {
            #expect(TextFastPaths.equalIgnoringCase(a, b) == (a.lowercased() == b.lowercased()))
            #expect(TextFastPaths.equalIgnoringCase(a, a.uppercased()) == (a.lowercased() == a.uppercased().lowercased()))
        }
    }

    @Test func lowercasedAsUnicodeLowercases() {
        for sample in Self.samples(count: 2_000, seed: 0x33) + ["X-Signature", "ABCXYZ@[`{", "İSTANBUL", "ΣΑΣ", "\u{212A}"] {
            #expect(TextFastPaths.lowercased(sample) == sample.lowercased(), "\(sample.debugDescription)")
        }
    }

    /// Dates written digit by digit read as the padded rendering, years below 1000 and past 9999 included.
    @Test func isoDateAsPadded() {
        var random = SplitMix64(seed: 0x35)
        var days = [0, -1, 10_957, 2_932_896, 2_932_897, -719_528, -719_529]
        for _ in 0..<5_000 { days.append(Int.random(in: -1_000_000...3_500_000, using: &random)) }
        for day in days {
            let date = CalendarDate(daysSinceEpoch: day)
            let padded = CalendarDate.pad(date.year, 4) + "-" + CalendarDate.pad(date.month, 2) + "-" + CalendarDate.pad(date.day, 2)
            #expect(date.iso == padded, "\(day)")
        }
    }

    /// The byte-level check answers as the String one for every code the prefix can make and for damaged ones.
    @Test func codeValidityOnBytesAsOnText() throws {
        var random = SplitMix64(seed: 0x41)
        for prefix in ["H", "HP", "THC"] {
            for serial in 0..<300 {
                for kind in PaymentCodeKind.allCases {
                    let code = try PaymentCode(prefix: prefix, kind: kind, serial: UInt64(serial) * 7_919).text
                    var bytes = Array(code.utf8)
                    #expect(PaymentCode.isValid(utf8: bytes[...], prefix: Array(prefix.utf8)) == kind)
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0x30...0x5A, using: &random)
                    let damaged = String(decoding: bytes, as: UTF8.self)
                    #expect(PaymentCode.isValid(utf8: bytes[...], prefix: Array(prefix.utf8)) == PaymentCode.isValid(damaged, prefix: prefix))
                }
            }
        }
    }

    /// The finder on bytes finds what the reading by sets and strings it replaced found.
    @Test func finderAgreesWithTheReadingItReplaced() throws {
        var random = SplitMix64(seed: 0x51)
        let finder = try PaymentCodeFinder(prefix: "HP")
        var memos: [String] = ["", " ", "HP", "HP HP", "  HP7K2Q9X  ", "HPHPHP"]
        for _ in 0..<1_500 {
            var words: [String] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0: words.append(try PaymentCode(prefix: "HP", kind: .student, serial: UInt64.random(in: 0..<30_000, using: &random)).text)
                case 1:
                    let code = try PaymentCode(prefix: "HP", kind: .invoice, serial: UInt64.random(in: 0..<30_000, using: &random)).text
                    let cut = Int.random(in: 0...code.count, using: &random)
                    words.append(String(code.prefix(cut)))
                    words.append(String(code.dropFirst(cut)))
                case 2: words.append(String((0..<Int.random(in: 1...9, using: &random)).map { _ in "HP0123456789ABCXYZ".randomElement(using: &random)! }))
                default: words.append(["THANH", "TOAN", "HOC", "PHI", "NGUYEN", "VAN", "AN", "HP", "T9"].randomElement(using: &random)!)
                }
            }
            memos.append(words.joined(separator: String(repeating: " ", count: Int.random(in: 1...2, using: &random))))
        }
        memos.append(String(repeating: "HP7K2Q9X ", count: 80))
        for memo in memos {
            #expect(finder.candidates(inNormalizedMemo: memo) == Self.referenceCandidates(memo, prefix: "HP"), "\(memo)")
        }
    }

    /// The finder as it was written before it read bytes (sets of word edges, a String per place).
    static func referenceCandidates(_ memo: String, prefix: String) -> [PaymentCodeFinder.Candidate] {
        let words = memo.utf8.prefix(PaymentCodeFinder.memoBytesMax).split(separator: UInt8(ascii: " "))
        var joined: [UInt8] = []
        var wordStarts = Set<Int>()
        var wordEnds = Set<Int>()
        for word in words {
            wordStarts.insert(joined.count)
            joined += word
            wordEnds.insert(joined.count)
        }
        let prefixBytes = Array(prefix.utf8)
        var seen = Set<String>()
        var valid: [PaymentCodeFinder.Candidate] = []
        var damaged: [PaymentCodeFinder.Candidate] = []
        var start = 0
        while start + prefixBytes.count <= joined.count {
            defer { start += 1 }
            guard joined[start..<(start + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
            for kind in PaymentCodeKind.allCases {
                let end = start + kind.codeLength(prefixLength: prefixBytes.count)
                guard end <= joined.count else { continue }
                let text = String(decoding: joined[start..<end], as: UTF8.self)
                let isValid = PaymentCode.isValid(text, prefix: prefix) == kind
                let aligned = wordStarts.contains(start) && wordEnds.contains(end)
                guard isValid || aligned, seen.insert(text).inserted else { continue }
                let candidate = PaymentCodeFinder.Candidate(text: text, kind: kind, isValid: isValid, isWordAligned: aligned)
                if isValid { valid.append(candidate) } else { damaged.append(candidate) }
            }
        }
        return valid + damaged
    }
}
