/// The KPI report as one CSV table for Excel (UTF-8 with BOM, CRLF, integers, rates in basis points beside their
/// text): a row per authority, the province row, then a row per month of the trend, told apart by the first column.
public enum KPIReportCSV {
    public static let header = [
        "Loại dòng", "Kỳ", "Mã cơ quan quản lý", "Cơ quan quản lý",
        "Số trường phổ thông", "Số trường thu qua ngân hàng",
        "Tỷ lệ trường thu qua ngân hàng (điểm cơ bản)", "Tỷ lệ trường thu qua ngân hàng",
        "Đạt chỉ tiêu 25 %", "Đạt chỉ tiêu 80 %",
        "Số khoản qua ngân hàng", "Số khoản tiền mặt", "Thu qua ngân hàng (đồng)", "Thu tiền mặt (đồng)",
        "Không dùng tiền mặt theo số khoản (điểm cơ bản)", "Không dùng tiền mặt theo số khoản",
        "Không dùng tiền mặt theo giá trị (điểm cơ bản)", "Không dùng tiền mặt theo giá trị",
    ]

    public static func render(_ report: KPIReport, separator: CSVSeparator = .comma) -> [UInt8] {
        var writer = ReportCSVWriter()
        writer.appendTitle(KPIReport.definition)
        writer.appendHeader(header)
        let period = ReportCSVCell.text(report.period.iso)
        for row in report.authorities {
            writer.append([.text("Cơ quan quản lý"), period, .text(row.code), .text(row.name)] + figures(row.figures))
        }
        writer.append([.text("Toàn tỉnh"), period, .empty, .text(report.provinceName)] + figures(report.province))
        for point in report.trend {
            writer.append([.text("Tháng"), .text(point.month.iso), .empty, .text(report.provinceName)] + figures(point.figures))
        }
        return writer.bytes(separator: separator)
    }

    static func figures(_ figures: KPIFigures) -> [ReportCSVCell] {
        let share = figures.bankSchoolShare ?? BasisPoints(0)
        return [.integer(Int64(figures.generalSchools)), .integer(Int64(figures.bankSchools))]
            + ReportFormat.rateCSV(figures.bankSchoolShare)
            + [.text(share >= KPITargets.bankSchools2025 ? "Đạt" : "Chưa đạt"), .text(share >= KPITargets.cashless2030 ? "Đạt" : "Chưa đạt"),
               .integer(Int64(figures.bankPayments)), .integer(Int64(figures.cashPayments)),
               .integer(figures.bankAmount.dong), .integer(figures.cashAmount.dong)]
            + ReportFormat.rateCSV(figures.cashlessShareByCount) + ReportFormat.rateCSV(figures.cashlessShareByValue)
    }
}
