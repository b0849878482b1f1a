import Core
import Foundation
@testable import Reconciliation
import Simulation
import Testing

/// The hand-written decision text reads back, through `JSONDecoder`, into the same decision, and is
/// the same JSON document as `JSONEncoder` writes (what was stored before it).
@Suite struct MatchDecisionJSONTests {
    static let texts = ["", "Nguyễn Văn An", "quote \" and backslash \\", "slash / and tab\t", "line\nfeed\r", "nul \u{0} bell \u{7}",
                        "\u{2028}\u{2029}", "emoji 👩‍👧", "e\u{301} combining", "HP7K2Q9X"]

    static func text(_ random: inout SeededRandom) -> String {
        texts[random.below(texts.count)] + (random.chance(perMille: 300) ? texts[random.below(texts.count)] : "")
    }

    static func id(_ random: inout SeededRandom) -> Int64 { Int64(random.below(1_000_000)) - 10 }

    static func optionalID(_ random: inout SeededRandom) -> Int64? { random.chance(perMille: 500) ? id(&random) : nil }

    static func money(_ random: inout SeededRandom) -> Money { Money(dong: Int64(random.below(10_000_000)) + 1) }

    static func holder(_ random: inout SeededRandom) -> CreditHolder {
        random.chance(perMille: 500) ? .family(text(&random)) : .student(id(&random))
    }

    static func allocations(_ random: inout SeededRandom) -> [Allocation] {
        (0..<random.below(4)).map { _ in Allocation(invoiceId: id(&random), amount: money(&random)) }
    }

    static func signals(_ random: inout SeededRandom) -> MatchSignals {
        var signals = MatchSignals()
        if random.chance(perMille: 500) { signals.virtualAccount = text(&random) }
        signals.virtualAccountStudentId = optionalID(&random)
        signals.codes = (0..<random.below(3)).map { _ in
            CodeSignal(text: text(&random), kind: random.chance(perMille: 500) ? .student : .invoice,
                       source: random.chance(perMille: 500) ? .memo : .payerName, checkValid: random.chance(perMille: 500),
                       isWordAligned: random.chance(perMille: 500), studentId: optionalID(&random), invoiceId: optionalID(&random),
                       isUsed: random.chance(perMille: 500))
        }
        signals.repairs = (0..<random.below(3)).map { _ in
            RepairSignal(damagedText: text(&random), repairedCode: text(&random), position: random.below(10),
                         edit: random.chance(perMille: 500) ? .substitution : .adjacentTransposition, studentId: id(&random),
                         invoiceId: optionalID(&random))
        }
        signals.names = (0..<random.below(3)).map { _ in
            NameSignal(studentId: id(&random), matchedText: text(&random), role: random.chance(perMille: 500) ? .student : .guardian,
                       quality: [NameQuality.fullName, .familyAndGivenName, .givenNameAndClass][random.below(3)],
                       source: random.chance(perMille: 500) ? .memo : .payerName)
        }
        if random.chance(perMille: 500) { signals.amountFit = [AmountFit.exact, .withinTolerance, .partial, .over][random.below(4)] }
        if random.chance(perMille: 500) { signals.dateGapDays = random.below(200) - 100 }
        return signals
    }

    static func proposal(_ random: inout SeededRandom) -> MatchProposal {
        let plan = AllocationPlan(allocations: allocations(&random), remainder: Money(dong: Int64(random.below(1_000))),
                                  creditHolder: random.chance(perMille: 500) ? holder(&random) : nil,
                                  amountFit: [AmountFit.exact, .withinTolerance, .partial, .over][random.below(4)],
                                  dateGapDays: random.chance(perMille: 500) ? random.below(60) : nil, owed: .zero)
        return MatchProposal(rule: MatchRule.allCases[random.below(MatchRule.allCases.count)],
                             studentIds: (0..<random.below(3)).map { _ in id(&random) }, plan: plan,
                             score: random.below(MatchScoring.scoreMax + 1), explanation: text(&random))
    }

    static func decision(_ random: inout SeededRandom) -> MatchDecision {
        let dispositions: [RemainderDisposition] = [.none, .unapplied, .credit(holder(&random))]
        return MatchDecision(transactionId: id(&random), bookingDate: CalendarDate(daysSinceEpoch: 19_000 + random.below(4_000)),
                             amount: money(&random), rule: MatchRule.allCases[random.below(MatchRule.allCases.count)],
                             signals: signals(&random), allocations: allocations(&random), remainder: money(&random),
                             remainderDisposition: dispositions[random.below(3)], isAutomatic: random.chance(perMille: 500),
                             proposals: (0..<random.below(4)).map { _ in proposal(&random) }, explanation: text(&random))
    }

    @Test func generatedDecisionsReadBackIdentically() throws {
        var random = SeededRandom(seed: 2026)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for _ in 0..<500 {
            let decision = Self.decision(&random)
            let text = decision.jsonText
            #expect(try JSONDecoder().decode(MatchDecision.self, from: Data(text.utf8)) == decision, "\(text)")
            // The same document as Foundation's encoder writes: same keys, values and nesting.
            let ours = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
            let foundation = try JSONSerialization.jsonObject(with: try encoder.encode(decision)) as? NSDictionary
            #expect(ours != nil && ours == foundation, "\(text)")
        }
    }

    @Test func keysAreInByteOrderAndNilOptionalsLeftOut() {
        var decision = MatchDecision(transactionId: 7, bookingDate: CalendarDate(daysSinceEpoch: 20_000), amount: Money(dong: 5),
                                     rule: .suspense, signals: MatchSignals(), allocations: [], remainder: Money(dong: 5),
                                     remainderDisposition: .unapplied, isAutomatic: false, proposals: [], explanation: "a\"b")
        #expect(decision.jsonText == #"{"allocations":[],"amount":5,"bookingDate":"2024-10-04","explanation":"a\"b","isAutomatic":false,"#
                + #""proposals":[],"remainder":5,"remainderDisposition":{"unapplied":{}},"rule":"suspense","#
                + #""signals":{"codes":[],"names":[],"repairs":[]},"transactionId":7}"#)
        decision.remainderDisposition = .credit(.student(3))
        #expect(decision.jsonText.contains(#""remainderDisposition":{"credit":{"_0":{"student":{"_0":3}}}}"#))
    }
}
