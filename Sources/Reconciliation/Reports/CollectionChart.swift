import Core

/// The chart of the monthly report: for each month, what was invoiced (a wide light bar) and what was collected
/// (a narrow dark bar in front of it). Inline SVG, integer coordinates inside the viewBox, no script.
public enum CollectionChart {
    static let width = 720
    static let height = 300
    static let plotLeft = 72
    static let plotRight = 708
    static let plotTop = 36
    static let plotBottom = 264
    /// Horizontal room a month label needs; labels are thinned out when slots are narrower.
    static let monthLabelWidth = 40
    /// The legend sits at the top right, clear of the unit label at the top left.
    static let legendWidth = 140
    static let invoicedFill = "#b9c8dd"
    static let collectedFill = "#1f4e8c"

    /// The SVG of `series` (oldest month first, at most `ReportLimits.seriesMonthsMax` months). An empty series draws
    /// the axes and "Chưa có dữ liệu"; amounts below zero draw no bar.
    public static func svg(_ series: [MonthlyCollection]) -> String {
        precondition(series.count <= ReportLimits.seriesMonthsMax, "series too long for the chart")
        let maximum = series.reduce(Int64(0)) { max($0, $1.invoiced.dong, $1.collected.dong) }
        let scale = ChartScale(maximum: min(maximum, ChartScale.maximumMax))
        var svg = ChartSVG.open(width: width, height: height, titleId: "collection-chart-title",
                                title: "Phải thu và đã thu theo tháng")
        svg += ChartSVG.text("unit", x: 4, y: 14, anchor: .start, "Đơn vị: \(scale.unitName)")
        svg += legend()
        svg += axis(scale)
        if series.isEmpty {
            svg += ChartSVG.text("no-data", x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, anchor: .middle,
                                 "Chưa có dữ liệu")
        }
        svg += bars(series, scale: scale)
        return svg + ChartSVG.close
    }

    static func legend() -> String {
        let left = plotRight - legendWidth
        var svg = ChartSVG.rect("legend-invoiced", x: left, y: 6, width: 10, height: 10, fill: invoicedFill)
        svg += ChartSVG.text("legend", x: left + 14, y: 15, anchor: .start, "Phải thu")
        svg += ChartSVG.rect("legend-collected", x: left + 80, y: 6, width: 10, height: 10, fill: collectedFill)
        svg += ChartSVG.text("legend", x: left + 94, y: 15, anchor: .start, "Đã thu")
        return svg
    }

    static func axis(_ scale: ChartScale) -> String {
        var svg = ""
        for tick in scale.ticks {
            let y = plotBottom - scale.scaled(tick, length: plotBottom - plotTop)
            svg += ChartSVG.line("grid", x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: tick == 0 ? "#333" : "#ddd")
            svg += ChartSVG.text("tick", x: plotLeft - 4, y: y + 3, anchor: .end, scale.label(tick))
        }
        svg += ChartSVG.line("axis", x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, stroke: "#333")
        return svg
    }

    static func bars(_ series: [MonthlyCollection], scale: ChartScale) -> String {
        guard !series.isEmpty else { return "" }
        let plotWidth = plotRight - plotLeft
        let slot = plotWidth / series.count
        let invoicedWidth = max(1, slot * 7 / 10)
        let collectedWidth = max(1, invoicedWidth / 2)
        let labelEvery = max(1, (monthLabelWidth + slot - 1) / slot)
        let plotHeight = plotBottom - plotTop
        var svg = ""
        for (index, entry) in series.enumerated() {
            // The slot's centre, spread over the whole plot width so no space is left at the right.
            let center = plotLeft + (2 * index + 1) * plotWidth / (2 * series.count)
            let month = ReportFormat.monthTitle(entry.month)
            let invoicedHeight = scale.scaled(entry.invoiced.dong, length: plotHeight)
            svg += ChartSVG.rect("bar-invoiced", x: center - invoicedWidth / 2, y: plotBottom - invoicedHeight,
                                 width: invoicedWidth, height: invoicedHeight, fill: invoicedFill,
                                 tooltip: "\(month): phải thu \(MoneyFormat.vietnamese(entry.invoiced))")
            let collectedHeight = scale.scaled(entry.collected.dong, length: plotHeight)
            let rate = BasisPoints.vietnamesePercent(entry.collectionRate)
            svg += ChartSVG.rect("bar-collected", x: center - collectedWidth / 2, y: plotBottom - collectedHeight,
                                 width: collectedWidth, height: collectedHeight, fill: collectedFill,
                                 tooltip: "\(month): đã thu \(MoneyFormat.vietnamese(entry.collected)) (\(rate))")
            if index % labelEvery == 0 {
                svg += ChartSVG.text("month", x: center, y: plotBottom + 14, anchor: .middle, ReportFormat.monthShort(entry.month))
            }
        }
        return svg
    }
}
