/// The KPI trend chart: one column per month of the school year, the share of general-education schools
/// collecting through banks and the cashless share by value and by count as lines on a 0–100 % axis, and the
/// plan's targets (25 %, 80 %) as dashed horizontal lines. Inline SVG, integer coordinates, no script.
public enum KPIChart {
    static let width = 720
    static let height = 300
    static let plotLeft = 56
    static let plotRight = 600
    static let plotTop = 24
    static let plotBottom = 256
    static let legendLeft = 608

    /// A series drawn as a line: its name, colour and the rate it reads from a month's figures.
    struct Series: Sendable {
        var cssClass: String
        var name: String
        var color: String
        var rate: @Sendable (KPIFigures) -> BasisPoints?
    }

    static let series: [Series] = [
        Series(cssClass: "bank-schools", name: "Trường thu qua NH", color: "#1f4e8c", rate: { $0.bankSchoolShare }),
        Series(cssClass: "cashless-value", name: "KDTM theo giá trị", color: "#1b6e2a", rate: { $0.cashlessShareByValue }),
        Series(cssClass: "cashless-count", name: "KDTM theo số khoản", color: "#b86e00", rate: { $0.cashlessShareByCount }),
    ]

    /// The SVG of `trend` (at most `ReportLimits.seriesMonthsMax` months, drawn in the order given).
    public static func svg(_ trend: [KPIMonthPoint], title: String) -> String {
        precondition(trend.count <= ReportLimits.seriesMonthsMax, "too many months for the KPI chart")
        var svg = ChartSVG.open(width: width, height: height, titleId: "kpi-chart-title", title: title)
        for tick in stride(from: Int64(0), through: BasisPoints.perWhole, by: 2_000) {
            let y = yPosition(tick)
            svg += ChartSVG.line("grid", x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: "#ddd")
            svg += ChartSVG.text("tick", x: plotLeft - 4, y: y + 3, anchor: .end, BasisPoints(tick).vietnamesePercent)
        }
        for (target, label) in [(KPITargets.bankSchools2025, "Chỉ tiêu 2025: 25 %"), (KPITargets.cashless2030, "Chỉ tiêu 2030: 80 %")] {
            let y = yPosition(target.value)
            svg += ChartSVG.line("target", x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: "#a32020", dashed: true)
            svg += ChartSVG.text("target-label", x: plotRight - 2, y: y - 3, anchor: .end, label)
        }
        for (index, point) in trend.enumerated() {
            svg += ChartSVG.text("month", x: xPosition(index, count: trend.count), y: plotBottom + 14, anchor: .middle,
                                 ReportFormat.monthShort(point.month))
        }
        if trend.isEmpty {
            svg += ChartSVG.text("no-data", x: (plotLeft + plotRight) / 2, y: plotTop + 40, anchor: .middle, "Chưa có dữ liệu")
        }
        for (number, line) in series.enumerated() {
            svg += draw(line, trend)
            let y = plotTop + number * 16
            svg += ChartSVG.rect("legend", x: legendLeft, y: y, width: 10, height: 10, fill: line.color)
            svg += ChartSVG.text("legend-label", x: legendLeft + 14, y: y + 9, anchor: .start, line.name)
        }
        return svg + ChartSVG.close
    }

    /// Segments between consecutive months that both have a rate, and a marker on every month that has one.
    static func draw(_ line: Series, _ trend: [KPIMonthPoint]) -> String {
        var svg = ""
        var previous: (x: Int, y: Int)?
        for (index, point) in trend.enumerated() {
            guard let rate = line.rate(point.figures) else { previous = nil; continue }
            let here = (x: xPosition(index, count: trend.count), y: yPosition(rate.value))
            if let previous {
                svg += ChartSVG.line(line.cssClass, x1: previous.x, y1: previous.y, x2: here.x, y2: here.y, stroke: line.color)
            }
            svg += ChartSVG.rect(line.cssClass + "-point", x: here.x - 2, y: here.y - 2, width: 4, height: 4, fill: line.color,
                                 tooltip: "\(line.name) \(ReportFormat.monthShort(point.month)): \(rate.vietnamesePercent)")
            previous = here
        }
        return svg
    }

    /// The column centre of month `index` of `count`.
    static func xPosition(_ index: Int, count: Int) -> Int {
        let step = (plotRight - plotLeft) / max(count, 1)
        return plotLeft + step * index + step / 2
    }

    /// Pixels from the top for `value` basis points, clamped to 0…100 %.
    static func yPosition(_ value: Int64) -> Int {
        let clamped = min(max(value, 0), BasisPoints.perWhole)
        return plotBottom - Int(clamped * Int64(plotBottom - plotTop) / BasisPoints.perWhole)
    }
}
