import Billing
import Core
import TestSupport
import Testing

@Suite struct DiscountArithmeticTests {
    func discount(_ value: DiscountValue, fee: Int64? = nil, reason: String = "chính sách") -> StudentDiscount {
        StudentDiscount(id: 1, studentID: 1, feeTypeID: fee, value: value, reason: reason,
                        validFrom: try! CalendarMonth(iso: "2026-09"), validThrough: nil)
    }

    @Test func percentagesRoundHalfUpPerLine() {
        #expect(DiscountArithmetic.percentage(of: 125_001, basisPoints: 5_000) == 62_501) // 62,500.5 → up
        #expect(DiscountArithmetic.percentage(of: 125_003, basisPoints: 5_000) == 62_502) // 62,501.5 → up
        #expect(DiscountArithmetic.percentage(of: 100_001, basisPoints: 3_333) == 33_330) // 33,330.33 → down
        #expect(DiscountArithmetic.percentage(of: 3, basisPoints: 5_000) == 2)             // 1.5 → 2
        #expect(DiscountArithmetic.percentage(of: 250_000, basisPoints: 10_000) == 250_000)
        #expect(DiscountArithmetic.percentage(of: 0, basisPoints: 7_000) == 0)
        let lines = DiscountArithmetic.apply([Charge(feeTypeID: 1, scheduleID: 1, gross: Money(dong: 125_001)),
                                              Charge(feeTypeID: 2, scheduleID: 2, gross: Money(dong: 125_001))],
                                             discounts: [discount(.percentage(basisPoints: 5_000))])
        // Each line rounds on its own: two lines of 62,500.5 give 62,501 each.
        #expect(lines.map(\.discount.dong) == [62_501, 62_501])
        #expect(lines.map(\.net.dong) == [62_500, 62_500])
        #expect(lines[0].reasons == ["chính sách"])
    }

    @Test func fixedDiscountsNeverGoBelowZeroAndAllFeeDiscountsSpreadInLineOrder() {
        let charges = [Charge(feeTypeID: 1, scheduleID: 1, gross: Money(dong: 100_000)),
                       Charge(feeTypeID: 2, scheduleID: 2, gross: Money(dong: 50_000))]
        let specific = DiscountArithmetic.apply(charges, discounts: [discount(.fixed(Money(dong: 150_000)), fee: 2)])
        #expect(specific.map(\.discount.dong) == [0, 50_000])
        let spread = DiscountArithmetic.apply(charges, discounts: [discount(.fixed(Money(dong: 120_000)))])
        #expect(spread.map(\.discount.dong) == [100_000, 20_000])
        let both = DiscountArithmetic.apply(charges, discounts: [discount(.percentage(basisPoints: 6_000), fee: 1, reason: "a"),
                                                                 discount(.percentage(basisPoints: 6_000), fee: 1, reason: "b")])
        // Basis points add up and cap at a full exemption.
        #expect(both.map(\.net.dong) == [0, 50_000])
        #expect(both[0].reasons == ["a", "b"])
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func linesAlwaysSumToTheTotal(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            let charges = (0..<Int.random(in: 1...6, using: &random)).map { index in
                Charge(feeTypeID: Int64(index + 1), scheduleID: Int64(index + 1),
                       gross: Money(dong: Int64.random(in: 0...3_000_000, using: &random)))
            }
            var discounts: [StudentDiscount] = []
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let fee: Int64? = Bool.random(using: &random) ? nil : Int64.random(in: 1...6, using: &random)
                let value: DiscountValue = Bool.random(using: &random)
                    ? .percentage(basisPoints: Int.random(in: 1...10_000, using: &random))
                    : .fixed(Money(dong: Int64.random(in: 1...2_000_000, using: &random)))
                discounts.append(discount(value, fee: fee))
            }
            let lines = DiscountArithmetic.apply(charges, discounts: discounts)
            let gross = lines.reduce(0) { $0 + $1.gross.dong }
            let discount = lines.reduce(0) { $0 + $1.discount.dong }
            let total = lines.reduce(0) { $0 + $1.net.dong }
            #expect(gross == charges.reduce(0) { $0 + $1.gross.dong })
            #expect(total == gross - discount)
            for line in lines {
                #expect(line.net.dong == line.gross.dong - line.discount.dong)
                #expect(line.discount.dong >= 0 && line.discount.dong <= line.gross.dong)
            }
            // With percentages only, each line's discount is exactly its own rounded share.
            if discounts.allSatisfy({ if case .percentage = $0.value { return true } else { return false } }) {
                for line in lines {
                    var points = 0
                    for d in discounts where d.feeTypeID == nil || d.feeTypeID == line.feeTypeID {
                        if case .percentage(let p) = d.value { points += p }
                    }
                    let exact = line.gross.dong * Int64(min(points, 10_000))
                    #expect(line.discount.dong == exact / 10_000 + (exact % 10_000 >= 5_000 ? 1 : 0))
                }
            }
        }
    }
}
