import TestSupport
import Testing
@testable import Core

@Suite struct AmountInWordsTests {
    /// Expected texts written by hand from the rules of Vietnamese receipts.
    static let table: [(Int64, String)] = [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (4, "Bốn đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (55, "Năm mươi lăm đồng"),
        (99, "Chín mươi chín đồng"),
        (100, "Một trăm đồng"),
        (101, "Một trăm linh một đồng"),
        (104, "Một trăm linh bốn đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (115, "Một trăm mười lăm đồng"),
        (121, "Một trăm hai mươi mốt đồng"),
        (1_000, "Một nghìn đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_050, "Một nghìn không trăm năm mươi đồng"),
        (1_015, "Một nghìn không trăm mười lăm đồng"),
        (10_000, "Mười nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (150_500, "Một trăm năm mươi nghìn năm trăm đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (1_000_050, "Một triệu không trăm năm mươi đồng"),
        (1_000_500, "Một triệu năm trăm đồng"),
        (2_024_000, "Hai triệu không trăm hai mươi tư nghìn đồng"),
        (35_250_000, "Ba mươi lăm triệu hai trăm năm mươi nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
        (1_234_567_891, "Một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (1_500_000_000_000, "Một nghìn năm trăm tỷ đồng"),
        (12_000_000_000_000, "Mười hai nghìn tỷ đồng"),
        (3_000_020_000_000, "Ba nghìn tỷ không trăm hai mươi triệu đồng"),
        (1_000_001_000_000_000, "Một triệu không trăm linh một tỷ đồng"),
        (999_999_999_999_999, "Chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng"),
        (Money.absoluteDongMax, "Một triệu tỷ đồng"),
        (-150_000, "Âm một trăm năm mươi nghìn đồng"),
        (-Money.absoluteDongMax, "Âm một triệu tỷ đồng"),
        (Int64.max, "Chín tỷ tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ tám trăm năm mươi tư triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy đồng"),
    ]

    @Test func readsTheTable() {
        for (dong, expected) in Self.table {
            #expect(AmountInWords.vietnamese(dong: dong) == expected, "\(dong)")
        }
        #expect(AmountInWords.vietnamese(Money(dong: 1_500_000)) == "Một triệu năm trăm nghìn đồng")
    }

    /// Reading the words back with an independent reader gives the amount, for many amounts up to the maximum.
    @Test func wordsReadBackToTheAmount() throws {
        var generator = SplitMix64(seed: 0x5EED_2026)
        var amounts: [Int64] = Array(-1_100...1_100) + [Money.absoluteDongMax, -Money.absoluteDongMax]
        for _ in 0..<20_000 {
            let digits = Int(generator.next() % 16) + 1
            var modulus: UInt64 = 1
            for _ in 0..<digits { modulus *= 10 }
            let sign: Int64 = generator.next() & 1 == 0 ? 1 : -1
            amounts.append(sign * Int64(generator.next() % modulus))
        }
        for dong in amounts {
            let text = AmountInWords.vietnamese(dong: dong)
            #expect(try WordsReader.amount(text) == dong, "\(dong): \(text)")
            #expect(text.hasSuffix(" đồng"))
            #expect(text.first?.isUppercase == true)
            for wrong in ["mươi một", "mươi bốn", "mươi năm", "mười năm", " lẻ ", "linh lăm", "linh mốt", "  "] {
                #expect(!text.contains(wrong), "\(dong): \(text)")
            }
        }
    }
}

/// A small reader of Vietnamese amounts in words for amounts up to one triệu tỷ, written separately from
/// `AmountInWords` so a read-back test checks the words and not the code's own assumptions.
fileprivate enum WordsReader {
    struct Unreadable: Error { let word: String }

    static let digits: [String: Int64] = ["không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9]

    static func amount(_ text: String) throws -> Int64 {
        var words = text.lowercased().split(separator: " ").map(String.init)
        guard words.last == "đồng" else { throw Unreadable(word: words.last ?? "") }
        words.removeLast()
        let negative = words.first == "âm"
        if negative { words.removeFirst() }
        var ty: Int64 = 0 // the number of tỷ read so far
        var belowTy: Int64 = 0
        var group: Int64 = 0
        var pending: Int64 = 0 // a digit waiting for "trăm", "mươi" or the end of its group
        for word in words {
            switch word {
            case "trăm": group += pending * 100; pending = 0
            case "mươi": group += pending * 10; pending = 0
            case "mười": group += 10
            case "linh": break
            case "mốt": group += 1
            case "tư": group += 4
            case "lăm": group += 5
            case "nghìn": belowTy += (group + pending) * 1_000; group = 0; pending = 0
            case "triệu": belowTy += (group + pending) * 1_000_000; group = 0; pending = 0
            case "tỷ": ty = belowTy + group + pending; belowTy = 0; group = 0; pending = 0
            default:
                guard let digit = digits[word] else { throw Unreadable(word: word) }
                pending = digit
            }
        }
        let magnitude = ty * 1_000_000_000 + belowTy + group + pending
        return negative ? -magnitude : magnitude
    }
}

