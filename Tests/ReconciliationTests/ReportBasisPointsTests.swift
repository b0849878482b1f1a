import Core
import Reconciliation
import TestSupport
import Testing

@Suite struct ReportBasisPointsTests {
    @Test func ratiosAreExactAndRoundHalfAwayFromZero() {
        #expect(BasisPoints.ratio(875, of: 1_000) == BasisPoints(8_750))
        #expect(BasisPoints.ratio(1, of: 3) == BasisPoints(3_333))
        #expect(BasisPoints.ratio(2, of: 3) == BasisPoints(6_667))
        // 1 / 20 000 is exactly half a basis point: up. 3 / 20 000 is 1.5: up to 2. Negative: away from zero.
        #expect(BasisPoints.ratio(1, of: 20_000) == BasisPoints(1))
        #expect(BasisPoints.ratio(3, of: 20_000) == BasisPoints(2))
        #expect(BasisPoints.ratio(-1, of: 20_000) == BasisPoints(-1))
        #expect(BasisPoints.ratio(-3, of: 20_000) == BasisPoints(-2))
        // Just under a half: down.
        #expect(BasisPoints.ratio(9_999, of: 200_000_000) == BasisPoints(0))
        #expect(BasisPoints.ratio(0, of: 5) == BasisPoints(0))
        #expect(BasisPoints.ratio(150, of: 100) == BasisPoints(15_000))
    }

    @Test func aZeroOrNegativeWholeIsNoDataNotZero() {
        #expect(BasisPoints.ratio(0, of: 0) == nil)
        #expect(BasisPoints.ratio(5, of: 0) == nil)
        #expect(BasisPoints.ratio(5, of: -10) == nil)
        #expect(BasisPoints.ratio(Money.zero, of: Money.zero) == nil)
        #expect(BasisPoints.vietnamesePercent(nil) == "Không có dữ liệu")
        let nothingBilled = CollectionFigures(invoiced: .zero, collectedByBank: Money(dong: 10), collectedInCash: .zero, outstanding: .zero)
        #expect(nothingBilled.collectionRate == nil)
        #expect(nothingBilled.cashlessShare == BasisPoints(10_000))
        let nothingCollected = CollectionFigures(invoiced: Money(dong: 10), collectedByBank: .zero, collectedInCash: .zero, outstanding: Money(dong: 10))
        #expect(nothingCollected.collectionRate == BasisPoints(0))
        #expect(nothingCollected.cashlessShare == nil)
    }

    @Test func hugeAmountsNeitherOverflowNorLosePrecision() {
        let max = Money.absoluteDongMax
        #expect(BasisPoints.ratio(max, of: max) == BasisPoints(10_000))
        #expect(BasisPoints.ratio(max - 1, of: max) == BasisPoints(10_000))
        #expect(BasisPoints.ratio(max / 2, of: max) == BasisPoints(5_000))
        #expect(BasisPoints.ratio(Int64.max, of: Int64.max) == BasisPoints(10_000))
        #expect(BasisPoints.ratio(Int64.max / 3, of: Int64.max) == BasisPoints(3_333))
        // part × 10 000 needs 128 bits here; the quotient 10¹⁹ is beyond Int64: saturates.
        #expect(BasisPoints.ratio(max * 1_000, of: 1) == BasisPoints(Int64.max))
        #expect(BasisPoints.ratio(-max * 1_000, of: 1) == BasisPoints(-Int64.max))
        #expect(BasisPoints.ratio(max, of: 1) == BasisPoints(Int64.max))
        #expect(BasisPoints.ratio(max / 10, of: 1) == BasisPoints(max / 10 * 10_000))
    }

    @Test func ratiosAgreeWithPlainIntegerArithmeticWhereItCannotOverflow() {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        func next(_ bound: Int64) -> Int64 { Int64(random.next() % UInt64(bound)) }
        for _ in 0..<10_000 {
            let whole = next(100_000_000_000_000) + 1
            let part = next(whole * 2 + 1)
            // Half away from zero for part ≥ 0: floor((2·part·10⁴ + whole) / (2·whole)); below 2·10¹⁸·2, in range.
            let expected = (2 * part * 10_000 + whole) / (2 * whole)
            #expect(BasisPoints.ratio(part, of: whole)?.value == expected, "\(part)/\(whole)")
            #expect(BasisPoints.ratio(-part, of: whole)?.value == -expected, "-\(part)/\(whole)")
        }
    }

    @Test func displayIsVietnamese() {
        #expect(BasisPoints(8_750).vietnamesePercent == "87,5 %")
        #expect(BasisPoints(10_000).vietnamesePercent == "100 %")
        #expect(BasisPoints(8_756).vietnamesePercent == "87,56 %")
        #expect(BasisPoints(8_705).vietnamesePercent == "87,05 %")
        #expect(BasisPoints(5).vietnamesePercent == "0,05 %")
        #expect(BasisPoints(0).vietnamesePercent == "0 %")
        #expect(BasisPoints(1_234_500).vietnamesePercent == "12.345 %")
        #expect(BasisPoints(-250).vietnamesePercent == "-2,5 %")
        #expect(BasisPoints(Int64.max).vietnamesePercent.hasSuffix(",07 %"))
    }
}
