/// The province chart: one horizontal bar per district, its collection rate, with a dashed line at 100 %.
/// Inline SVG, integer coordinates inside the viewBox, no script.
public enum RateChart {
    static let width = 720
    static let rowHeight = 20
    static let barHeight = 12
    static let top = 24
    static let bottom = 24
    static let labelRight = 196
    static let plotLeft = 204
    static let plotRight = 620
    static let nameCharactersMax = 34
    /// The axis shows at least 100 %, more when a rate passes it (arrears collected), at most 200 %;
    /// a longer bar is cut at the axis and still labelled with its real rate.
    static let axisMinimum: Int64 = 10_000
    static let axisMaximum: Int64 = 20_000
    static let tickStep: Int64 = 2_500
    static let barFill = "#1f4e8c"

    public struct Bar: Hashable, Sendable {
        public var label: String
        public var rate: BasisPoints?

        public init(label: String, rate: BasisPoints?) {
            self.label = label
            self.rate = rate
        }
    }

    /// The SVG of `bars` (at most `ReportLimits.chartDistrictsMax`, drawn in the order given).
    public static func svg(_ bars: [Bar], title: String) -> String {
        precondition(bars.count <= ReportLimits.chartDistrictsMax, "too many bars for the rate chart")
        let height = top + max(bars.count, 1) * rowHeight + bottom
        let highest = min(bars.compactMap(\.rate?.value).max() ?? 0, axisMaximum)
        let axisMax = max(axisMinimum, (highest + tickStep - 1) / tickStep * tickStep)
        var svg = ChartSVG.open(width: width, height: height, titleId: "rate-chart-title", title: title)
        svg += ChartSVG.text("unit", x: plotLeft, y: 14, anchor: .start, title)
        let axisBottom = height - bottom
        for tick in stride(from: Int64(0), through: axisMax, by: Int(tickStep)) {
            let x = plotLeft + position(tick, axisMax: axisMax)
            let isTarget = tick == BasisPoints.perWhole
            svg += ChartSVG.line(isTarget ? "target" : "grid", x1: x, y1: top, x2: x, y2: axisBottom,
                                 stroke: isTarget ? "#a32020" : "#ddd", dashed: isTarget)
            svg += ChartSVG.text("tick", x: x, y: axisBottom + 14, anchor: .middle, BasisPoints(tick).vietnamesePercent)
        }
        if bars.isEmpty {
            svg += ChartSVG.text("no-data", x: (plotLeft + plotRight) / 2, y: top + 14, anchor: .middle, "Chưa có dữ liệu")
        }
        for (index, bar) in bars.enumerated() { svg += row(bar, index: index, axisMax: axisMax) }
        return svg + ChartSVG.close
    }

    static func row(_ bar: Bar, index: Int, axisMax: Int64) -> String {
        let y = top + index * rowHeight
        var svg = ChartSVG.text("bar-label", x: labelRight, y: y + 13, anchor: .end,
                                ChartSVG.shortened(bar.label, characters: nameCharactersMax))
        let rateText = BasisPoints.vietnamesePercent(bar.rate)
        let length = bar.rate.map { position($0.value, axisMax: axisMax) } ?? 0
        if bar.rate != nil {
            svg += ChartSVG.rect("bar-rate", x: plotLeft, y: y + (rowHeight - barHeight) / 2, width: length, height: barHeight,
                                 fill: barFill, tooltip: "\(bar.label): \(rateText)")
        }
        svg += ChartSVG.text("bar-value", x: plotLeft + length + 4, y: y + 13, anchor: .start, rateText)
        return svg
    }

    /// Pixels from the plot's left edge for `value` basis points, clamped to 0…axisMax.
    static func position(_ value: Int64, axisMax: Int64) -> Int {
        let clamped = min(max(value, 0), axisMax)
        return Int(clamped * Int64(plotRight - plotLeft) / axisMax)
    }
}
