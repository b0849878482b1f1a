/// The province report as one CSV table for Excel: a row per school, a subtotal row per managing authority and a province
/// total row, told apart by the first column ("Trường", "Tổng cơ quan quản lý", "Tổng tỉnh") so a filter on it leaves
/// only schools. Same conventions as `MonthlyReportCSV`: UTF-8 with BOM, CRLF, integers in đồng, rates in basis
/// points beside their text.
public enum ProvinceReportCSV {
    public static let header = [
        "Loại dòng", "Tháng", "Cơ quan quản lý", "Mã trường", "Tên trường", "Cấp học",
        "Phải thu (đồng)", "Đã thu qua ngân hàng (đồng)", "Đã thu tiền mặt (đồng)", "Tổng đã thu (đồng)",
        "Còn phải thu (đồng)", "Tỷ lệ thu (điểm cơ bản)", "Tỷ lệ thu",
        "Tỷ lệ không dùng tiền mặt (điểm cơ bản)", "Tỷ lệ không dùng tiền mặt",
        "Trạng thái đối soát", "Số khoản chưa phân bổ",
    ]

    public static func render(_ report: ProvinceReport, separator: CSVSeparator = .comma) -> [UInt8] {
        var writer = ReportCSVWriter()
        writer.appendHeader(header)
        let month = ReportCSVCell.text(report.month.iso)
        for district in report.districts {
            for school in district.schools {
                writer.append([.text("Trường"), month, .text(school.district), .text(school.code), .text(school.name),
                               .text(school.level.vietnameseName)]
                    + figures(school.figures) + [.text(school.reconciliation.vietnameseName), .integer(Int64(school.unappliedCount))])
            }
            writer.append([.text("Tổng cơ quan quản lý"), month, .text(district.name), .empty, .empty, .empty]
                + figures(district.subtotal.figures) + [.text(statusSummary(district.subtotal)),
                                                       .integer(Int64(district.subtotal.unappliedCount))])
        }
        let totals = report.totals
        writer.append([.text("Tổng tỉnh"), month, .empty, .empty, .text(report.provinceName), .empty]
            + figures(totals.figures) + [.text(statusSummary(totals)), .integer(Int64(totals.unappliedCount))])
        return writer.bytes(separator: separator)
    }

    static func figures(_ figures: CollectionFigures) -> [ReportCSVCell] {
        [.integer(figures.invoiced.dong), .integer(figures.collectedByBank.dong), .integer(figures.collectedInCash.dong),
         .integer(figures.collected.dong), .integer(figures.outstanding.dong)]
            + ReportFormat.rateCSV(figures.collectionRate) + ReportFormat.rateCSV(figures.cashlessShare)
    }

    /// "Đã khóa sổ: 3; Khớp, chưa khóa sổ: 1; Có chênh lệch: 0; Chưa đối soát: 2".
    static func statusSummary(_ subtotal: ProvinceSubtotal) -> String {
        ProvinceReconciliationStatus.allCases
            .map { "\($0.vietnameseName): \(subtotal.statusCounts[$0])" }
            .joined(separator: "; ")
    }
}
