import Core
import Crypto
import Testing
import TestSupport
@testable import Ledger

/// The request hash is stored with every entry and compared on every retry: the bytes it digests are
/// held to the rendering it has always had, written here with string interpolation as it first was.
@Suite struct RequestHashTests {
    static func referenceHash(_ request: JournalEntryRequest) -> [UInt8] {
        var text = "v1|\(request.schoolID)|\(request.effectiveDate.iso)|\(request.kind.rawValue)|\(request.description.utf8.count):\(request.description)|"
        text += [request.references.invoiceID, request.references.bankTransactionID, request.references.reversesEntryID]
            .map { $0.map(String.init) ?? "-" }.joined(separator: "|")
        for posting in request.postings {
            let d = posting.dimensions
            text += "|\(posting.accountID):\(posting.amount.dong):"
            text += [d.studentID, d.familyID, d.invoiceID, d.bankTransactionID].map { $0.map(String.init) ?? "-" }.joined(separator: ",")
        }
        return SHA256Digest.hash(Array(text.utf8))
    }

    @Test func hashAsTheRenderingItHasAlwaysHad() throws {
        var random = SplitMix64(seed: 0x80)
        let descriptions = ["Thu học phí tháng 9", "Nguye\u{0302}\u{0303}n", "a|b:c,d-", "😀 receipt", "x"]
        func id() -> Int64? {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return nil
            case 1: return Int64.random(in: Int64.min...Int64.max, using: &random)
            default: return Int64.random(in: 1...1_000_000, using: &random)
            }
        }
        for _ in 0..<2_000 {
            let postings = (0..<Int.random(in: 2...6, using: &random)).map { _ in
                PostingRequest(accountID: Int64.random(in: 1...100_000, using: &random), amount: Money(dong: Int64.random(in: -10_000_000...10_000_000, using: &random)),
                               dimensions: PostingDimensions(studentID: id(), familyID: id(), invoiceID: id(), bankTransactionID: id()))
            }
            let request = JournalEntryRequest(
                schoolID: Int64.random(in: 1...9_999, using: &random), effectiveDate: try CalendarDate(year: Int.random(in: 2020...2030, using: &random), month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random)),
                kind: EntryKind.allCases[Int.random(in: 0..<EntryKind.allCases.count, using: &random)],
                description: descriptions[Int.random(in: 0..<descriptions.count, using: &random)], idempotencyKey: "bank:\(Int.random(in: 1...99, using: &random))",
                references: EntryReferences(invoiceID: id(), bankTransactionID: id(), reversesEntryID: id()), postings: postings)
            #expect(request.requestHash == Self.referenceHash(request))
        }
    }
}
