import BankFormats
import Core
import Foundation
@testable import Payments
import Testing

/// The pure rules of the import: text normalisation, duplicate keys, fee recognition, the account
/// comparison, and the pairing of lines with callbacks.
@Suite struct StatementRuleTests {
    @Test func theASCIIFastPathNormalisesExactlyLikeVietnameseText() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019 .-_/,:;\t\n()#@!~\u{7F}")
        var samples = ["", " ", "MBVCB.3278907687.123456.HP7K2Q9X NGUYEN VAN AN.CT tu 0011001234567", "--a--b--", "Học phí tháng 9 Đặng",
                       "REM Tfr Ac: 12010000999888 \"HP3NT8WQ\" LE VAN BINH"]
        for _ in 0..<500 {
            samples.append(String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for sample in samples {
            #expect(StatementText.normalized(sample) == VietnameseText.normalized(sample), "\(sample.debugDescription)")
        }
    }

    @Test func memosLoseControlCharactersAndAreCutByCharacters() {
        #expect(StatementText.sanitized("A\nB\tC", characterMax: 10) == "A B C")
        #expect(StatementText.sanitized("Đặng Thị", characterMax: 3) == "Đặn")
        #expect(StatementText.sanitized("plain", characterMax: 5) == "plain")
    }

    @Test func duplicateKeys() throws {
        let day = try CalendarDate(iso: "2026-09-05")
        #expect(StatementLineKey.base(reference: "FT001", detailIndex: nil, bookedOn: day, amount: 5, normalizedMemo: "X") == "r:FT001")
        #expect(StatementLineKey.base(reference: "E1", detailIndex: 2, bookedOn: day, amount: 5, normalizedMemo: "X") == "r:E1/2")
        let long = String(repeating: "R", count: StatementImportLimits.referenceKeyBytesMax + 1)
        let hashed = StatementLineKey.base(reference: long, detailIndex: nil, bookedOn: day, amount: 5, normalizedMemo: "X")
        #expect(hashed.hasPrefix("rh:") && hashed.count == 3 + 64)
        let fingerprint = StatementLineKey.base(reference: nil, detailIndex: nil, bookedOn: day, amount: -5, normalizedMemo: "HOC PHI")
        #expect(fingerprint.hasPrefix("f:2026-09-05:-5:") && StatementLineKey.isFingerprint(fingerprint))
        #expect(fingerprint != StatementLineKey.base(reference: nil, detailIndex: nil, bookedOn: day, amount: -5, normalizedMemo: "HOC PHI 2"))
        #expect(fingerprint != StatementLineKey.base(reference: nil, detailIndex: nil, bookedOn: day, amount: 5, normalizedMemo: "HOC PHI"))
    }

    @Test func feesAreRecognisedOnlyByStandardCodes() {
        for code in ["NCHG", "FCHG", "ncom", "ACMT/MDOP/CHRG", "PMNT/CCRD/FEES", "ACMT/MDOP/COMM"] {
            #expect(BankFeeRecognition.isFee(typeCode: code), "\(code)")
        }
        for code in [nil, "", "NTRF", "S202", "CHG", "PMNT/RCDT/ESCT", "CHRG", "ACMT/CHRG"] as [String?] {
            #expect(!BankFeeRecognition.isFee(typeCode: code), "\(String(describing: code))")
        }
    }

    @Test func accountsCompareWhateverTheirSpelling() {
        for written in ["0011001234567", "VCBVVNVX/0011001234567", "0011 0012 34567", "0011001234567VND", "0011-001-234567"] {
            #expect(StatementAccountMatch.matches(statementAccount: written, accountNumber: "0011001234567"), "\(written)")
        }
        for written in ["0011001234568", "00110012345670", "0011001234567/VCB", "", "NL91ABNA0417164300"] {
            #expect(!StatementAccountMatch.matches(statementAccount: written, accountNumber: "0011001234567"), "\(written)")
        }
    }

    static func callback(_ id: Int64, _ amount: Int64, day: Int, memo: String = "", references: [String] = []) -> CallbackMatcher.Callback {
        CallbackMatcher.Callback(id: id, isIncoming: true, amount: amount, day: day, normalizedMemo: Array(memo.utf8), references: references)
    }

    static func line(_ seq: Int, _ amount: Int64, day: Int, memo: String = "", references: [String] = []) -> CallbackMatcher.Line {
        CallbackMatcher.Line(seq: seq, amount: amount, day: day, normalizedMemo: Array(memo.utf8), references: references)
    }

    /// An earlier line that fits only by amount does not take the callback a later line names by reference.
    @Test func pairsAreAssignedBestTierFirst() {
        var matcher = CallbackMatcher(callbacks: [Self.callback(7, 100, day: 10, memo: "HP ABC", references: ["FT9"])], windowDays: 3)
        let confirmations = matcher.match([Self.line(1, 100, day: 10, memo: "OTHER"), Self.line(2, 100, day: 12, references: ["FT9"])])
        #expect(confirmations == [CallbackMatcher.Confirmation(seq: 2, callbackID: 7, tier: 0, equallyGood: [])])
    }

    @Test func theWindowDirectionAndAmountBoundCandidates() {
        var matcher = CallbackMatcher(callbacks: [Self.callback(1, 100, day: 10), Self.callback(2, 100, day: 20)], windowDays: 3)
        #expect(matcher.match([Self.line(1, -100, day: 10), Self.line(2, 101, day: 10), Self.line(3, 100, day: 14)]).isEmpty)
        let matched = matcher.match([Self.line(4, 100, day: 17), Self.line(5, 100, day: 17), Self.line(6, 100, day: 13)])
        #expect(matched.map(\.seq) == [4, 6] && matched.map(\.callbackID) == [2, 1])
    }

    @Test func memoSimilarityIsEqualityOrContainment() {
        #expect(CallbackMatcher.similar(Array("HP7K NGUYEN VAN AN".utf8), Array("MBVCB 88 HP7K NGUYEN VAN AN CT".utf8)))
        #expect(CallbackMatcher.similar(Array("ABC".utf8), Array("ABC".utf8)))
        #expect(!CallbackMatcher.similar(Array("".utf8), Array("ABC".utf8)))
        #expect(!CallbackMatcher.similar(Array("ABD".utf8), Array("ABC X".utf8)))
    }

    /// The bank wrapped the `:86:` text inside the payment code: the memo still names the callback, so
    /// an earlier line of the same amount and day that fits only by amount does not take it.
    @Test func aCodeSplitByTheStatementsLineWrapStillConfirmsItsCallback() {
        var matcher = CallbackMatcher(callbacks: [Self.callback(7, 750, day: 10, memo: "NOP HOC PHI CON KHANG MA HPZDSPMT5")],
                                      windowDays: 3)
        let confirmations = matcher.match([Self.line(1, 750, day: 10, memo: "HOC PHI CON AN"),
                                           Self.line(2, 750, day: 10, memo: "NOP HOC PHI CON KHANG MA HPZDSP MT5 NGO VAN AN")])
        #expect(confirmations == [CallbackMatcher.Confirmation(seq: 2, callbackID: 7, tier: 1, equallyGood: [])])
    }
}
