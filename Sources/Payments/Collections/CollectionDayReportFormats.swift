import BankFormats
import Core
import Foundation

/// The files a day's reconciliation produces: the summary and differences files banks expect back,
/// and the report as JSON, CSV (with a BOM, for spreadsheet programs) and HTML.
public enum CollectionDayReportFormats {
    public static func json(_ report: CollectionDayReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(report)) + [0x0A]
    }

    /// One line per payment compared, matched ones included, with a UTF-8 BOM and CRLF line ends.
    public static func csv(_ report: CollectionDayReport) -> [UInt8] {
        var lines = ["difference,transaction_id,customer_code,bank_amount,our_amount,paid_at"]
        for difference in report.differences {
            lines.append([difference.kind.rawValue, difference.transactionID, difference.customerCode, difference.bankAmount.map(String.init) ?? "",
                          difference.ourAmount.map(String.init) ?? "", difference.paidAtText].map(csvField).joined(separator: ","))
        }
        return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// Quotes a field when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The summary file for the bank: counts and amounts matched and differing, in its delimiter.
    public static func summary(_ report: CollectionDayReport, layout: CollectionFileLayout) -> String {
        let d = layout.delimiter
        let rows: [(String, CollectionDayReport.Tally)] = [("matched", report.matched), ("bank_only", report.bankOnly),
                                                           ("ours_only", report.oursOnly), ("amount_differs", report.amountDiffers)]
        var lines = ["date\(d)kind\(d)count\(d)bank_amount\(d)our_amount"]
        for (kind, tally) in rows {
            lines.append([report.date.iso, kind, String(tally.count), String(tally.bankAmount), String(tally.ourAmount)].joined(separator: d))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func html(_ report: CollectionDayReport) -> String {
        let e = HTMLText.escaped
        func money(_ value: Int64?) -> String { value.map { e(MoneyFormat.vietnamese(Money(dong: $0))) } ?? "—" }
        var body = "<h1>Đối soát thu hộ \(e(report.provider)) ngày \(e(report.date.vietnamese))</h1>\n"
        body += "<p>\(e(report.schoolName)) (\(e(report.schoolCode))) — tệp SHA-256 <code>\(e(String(report.fileSHA256.prefix(16))))…</code></p>\n"
        body += "<table><thead><tr><th>Kết quả</th><th>Số giao dịch</th><th>Ngân hàng</th><th>Nhà trường</th></tr></thead><tbody>\n"
        for (label, tally) in [("Khớp", report.matched), ("Chỉ ngân hàng có (đã ghi sổ)", report.bankOnly),
                               ("Chỉ nhà trường có (cần hủy hoặc kiểm tra)", report.oursOnly), ("Lệch số tiền", report.amountDiffers)] {
            body += "<tr><td>\(e(label))</td><td>\(tally.count)</td><td>\(money(tally.bankAmount))</td><td>\(money(tally.ourAmount))</td></tr>\n"
        }
        body += "</tbody></table>\n"
        let differing = report.differences.filter { $0.kind != .matched }
        if differing.isEmpty {
            body += "<p class=\"clean\">Không có chênh lệch.</p>\n"
        } else {
            body += "<h2>Chênh lệch</h2>\n<table><thead><tr><th>Loại</th><th>Mã giao dịch</th><th>Mã khách hàng</th><th>Ngân hàng</th>"
                + "<th>Nhà trường</th><th>Thời gian</th></tr></thead><tbody>\n"
            for difference in differing {
                body += "<tr><td>\(e(difference.kind.rawValue))</td><td>\(e(difference.transactionID))</td><td>\(e(difference.customerCode))</td>"
                    + "<td>\(money(difference.bankAmount))</td><td>\(money(difference.ourAmount))</td><td>\(e(difference.paidAtText))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        let style = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
            + ".clean{color:#060}\n"
        return HTMLText.page(title: "Đối soát thu hộ \(report.date.iso)", stylesheet: style, mainClass: "collection-day", body: body)
    }
}
