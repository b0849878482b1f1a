import Core
import Reconciliation
import TestSupport
import Testing

@Suite struct ReportChartTests {
    static let width = 720
    static let height = 300

    /// Every coordinate an integer, every shape inside the viewBox.
    static func checkGeometry(_ svg: String, width: Int, height: Int) {
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\""))
        for bad in ["NaN", "nan", "inf", "e+", "<script", "href"] { #expect(!svg.contains(bad), "\(bad)") }
        for (name, attributes) in ReportCheck.svgElements(svg) {
            var numbers: [String: Int] = [:]
            for key in ["x", "y", "width", "height", "x1", "x2", "y1", "y2"] {
                guard let value = attributes[key] else { continue }
                guard let number = Int(value) else {
                    Issue.record("\(name) \(key)=\(value) is not an integer")
                    continue
                }
                numbers[key] = number
            }
            if name == "svg" { continue }
            for key in ["x", "x1", "x2"] { if let x = numbers[key] { #expect((0...width).contains(x), "\(name) \(key)=\(x)") } }
            for key in ["y", "y1", "y2"] { if let y = numbers[key] { #expect((0...height).contains(y), "\(name) \(key)=\(y)") } }
            if let x = numbers["x"], let w = numbers["width"] { #expect(w >= 0 && x + w <= width, "\(name) x+width") }
            if let y = numbers["y"], let h = numbers["height"] { #expect(h >= 0 && y + h <= height, "\(name) y+height") }
        }
    }

    static func bars(_ svg: String, _ cssClass: String) -> [[String: String]] {
        ReportCheck.svgElements(svg).filter { $0.name == "rect" && $0.attributes["class"] == cssClass }.map(\.attributes)
    }

    @Test(arguments: [0, 1, 12, 60])
    func oneBarPerMonthWithSaneCoordinates(months: Int) {
        let series = ReportFixture.series(months: months)
        let svg = CollectionChart.svg(series)
        #expect(Self.bars(svg, "bar-invoiced").count == months)
        #expect(Self.bars(svg, "bar-collected").count == months)
        Self.checkGeometry(svg, width: Self.width, height: Self.height)
        #expect(svg.contains("Chưa có dữ liệu") == (months == 0))
        #expect(HTMLCheck.problems(svg).isEmpty, "\(HTMLCheck.problems(svg))")
        // Bars run left to right in month order.
        let xs = Self.bars(svg, "bar-invoiced").map { Int($0["x"]!)! }
        #expect(xs == xs.sorted() && Set(xs).count == xs.count)
    }

    @Test func barHeightsFollowTheAmounts() {
        let series = [
            MonthlyCollection(month: ReportFixture.september.adding(months: -1), invoiced: Money(dong: 400_000_000), collected: Money(dong: 100_000_000)),
            MonthlyCollection(month: ReportFixture.september, invoiced: Money(dong: 200_000_000), collected: Money(dong: 200_000_000)),
        ]
        let svg = CollectionChart.svg(series)
        let invoiced = Self.bars(svg, "bar-invoiced").map { Int($0["height"]!)! }
        let collected = Self.bars(svg, "bar-collected").map { Int($0["height"]!)! }
        #expect(invoiced[0] > 0 && invoiced[0] == 2 * invoiced[1])
        #expect(collected[1] == invoiced[1] && collected[0] * 4 == invoiced[0])
        // Bars stand on the same baseline.
        let bottoms = Self.bars(svg, "bar-invoiced").map { Int($0["y"]!)! + Int($0["height"]!)! }
        #expect(Set(bottoms).count == 1)
        #expect(svg.contains("Đơn vị: triệu đồng"))
        #expect(svg.contains("Tháng 9/2026: đã thu 200.000.000 đ (100 %)"))
    }

    @Test func hugeAmountsStayInsideTheChart() {
        let max = Money(dong: Money.absoluteDongMax)
        let series = (0..<12).map { index in
            MonthlyCollection(month: ReportFixture.september.adding(months: index), invoiced: max,
                              collected: Money(dong: Money.absoluteDongMax / Int64(index + 1)))
        }
        let svg = CollectionChart.svg(series)
        Self.checkGeometry(svg, width: Self.width, height: Self.height)
        #expect(svg.contains("Đơn vị: tỷ đồng"))
        #expect(svg.contains(">1.000.000</text>"), "the top tick is 10¹⁵ đ = 1.000.000 tỷ")
        let tallest = Self.bars(svg, "bar-invoiced").map { Int($0["height"]!)! }
        #expect(Set(tallest).count == 1 && tallest[0] > 200)
    }

    @Test func negativeAndZeroAmountsDrawNoBarBelowTheAxis() {
        let series = [
            MonthlyCollection(month: ReportFixture.september, invoiced: .zero, collected: Money(dong: -5_000_000)),
        ]
        let svg = CollectionChart.svg(series)
        Self.checkGeometry(svg, width: Self.width, height: Self.height)
        #expect(Self.bars(svg, "bar-collected").map { $0["height"] } == ["0"])
    }

    @Test func theRateChartHasOneBarPerDistrictAndClampsLongBars() {
        let bars = [
            RateChart.Bar(label: "Quận Ba Đình", rate: BasisPoints(8_750)),
            RateChart.Bar(label: "Quận <Cầu Giấy>", rate: nil),
            RateChart.Bar(label: "Huyện rất dài " + String(repeating: "x", count: 80), rate: BasisPoints(Int64.max)),
            RateChart.Bar(label: "Quận Đống Đa", rate: BasisPoints(-500)),
        ]
        let svg = RateChart.svg(bars, title: "Tỷ lệ thu")
        let height = 24 + bars.count * 20 + 24
        Self.checkGeometry(svg, width: 720, height: height)
        #expect(Self.bars(svg, "bar-rate").count == 3, "no bar where there is no data")
        #expect(svg.contains("Không có dữ liệu") && svg.contains("87,5 %"))
        #expect(svg.contains("Quận &lt;Cầu Giấy&gt;") && !svg.contains("<Cầu"))
        #expect(svg.contains("class=\"target\""), "a dashed line marks 100 %")
        #expect(svg.contains(">200 %</text>"), "the axis stops at 200 %")
        let widths = Self.bars(svg, "bar-rate").map { Int($0["width"]!)! }
        #expect(widths[2] == 0 && widths[1] == 416 && widths[0] > 0)
        Self.checkGeometry(RateChart.svg([], title: "Tỷ lệ thu"), width: 720, height: 68)
    }
}
