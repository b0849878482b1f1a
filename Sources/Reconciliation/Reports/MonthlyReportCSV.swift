import Core

/// The monthly report as one CSV file for Excel: sections one after another, each a title row, a header row
/// (Vietnamese, with diacritics) and its rows, separated by a blank row. Money in whole đồng as plain integers
/// (so Excel sums them), rates as basis points and as text, dates as `YYYY-MM-DD` (read the same in every locale),
/// account numbers masked to their last four characters.
public enum MonthlyReportCSV {
    public static func render(_ report: MonthlyReconciliationReport, separator: CSVSeparator = .comma) -> [UInt8] {
        var writer = ReportCSVWriter()
        summary(report, into: &writer)
        accounts(report, into: &writer)
        explainingItems(report, into: &writer)
        unapplied(report, into: &writer)
        aging(report, into: &writer)
        credits(report, into: &writer)
        exceptions(report, into: &writer)
        series(report, into: &writer)
        CollectionDaySection.csv(report.collectionDays, into: &writer)
        return writer.bytes(separator: separator)
    }

    static func section(_ title: String, _ header: [String], into writer: inout ReportCSVWriter) {
        if !writer.rows.isEmpty { writer.appendBlankLine() }
        writer.appendTitle(title)
        writer.appendHeader(header)
    }

    static func summary(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Báo cáo đối soát tháng", ["Chỉ tiêu", "Giá trị"], into: &writer)
        writer.append([.text("Trường"), .text(report.school.name)])
        writer.append([.text("Mã trường"), .text(report.school.code)])
        writer.append([.text("Địa bàn"), .text(report.school.district)])
        writer.append([.text("Tháng"), .text(report.month.iso)])
        writer.append([.text("Lập lúc"), .text(ReportFormat.isoTimestamp(report.generatedAt))])
        writer.append([.text("Mã lần đối soát"), .optional(report.runId)])
        writer.append([.text("Trạng thái"), .text(report.state.vietnameseName)])
        section("Tổng hợp", ["Chỉ tiêu", "Số tiền (đồng)", "Tỷ lệ (điểm cơ bản)", "Tỷ lệ"], into: &writer)
        let totals = report.totals
        writer.append([.text("Phải thu"), .integer(totals.invoiced.dong)])
        writer.append([.text("Đã thu qua ngân hàng"), .integer(totals.collectedByBank.dong)])
        writer.append([.text("Đã thu tiền mặt"), .integer(totals.collectedInCash.dong)])
        writer.append([.text("Tổng đã thu"), .integer(totals.collected.dong)])
        writer.append([.text("Còn phải thu"), .integer(totals.outstanding.dong)])
        writer.append([.text("Tỷ lệ thu"), .empty] + ReportFormat.rateCSV(totals.collectionRate))
        writer.append([.text("Tỷ lệ thu không dùng tiền mặt"), .empty] + ReportFormat.rateCSV(totals.cashlessShare))
    }

    static func accounts(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Tài khoản ngân hàng", [
            "Ngân hàng", "Số tài khoản", "Số dư sổ sách cuối tháng (đồng)", "Số dư sao kê (đồng)", "Ngày sao kê",
            "Chênh lệch sổ sách − sao kê (đồng)", "Đã giải thích (đồng)", "Chưa giải thích (đồng)",
        ], into: &writer)
        for account in report.bankAccounts {
            writer.append([
                .text(account.bankName), .text(ReportFormat.maskedAccount(account.accountNumber)),
                .integer(account.ledgerBalance.dong), .optional(account.statementClosingBalance?.dong),
                .optional(account.statementDate?.iso), .optional(account.difference?.dong),
                .integer(account.explained.dong), .optional(account.unexplained?.dong),
            ])
        }
    }

    static func explainingItems(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Các khoản giải thích chênh lệch", [
            "Số tài khoản", "Loại", "Ngày", "Số tiền (đồng)", "Mã tham chiếu", "Nội dung",
        ], into: &writer)
        for account in report.bankAccounts {
            for item in account.explainingItems {
                writer.append([
                    .text(ReportFormat.maskedAccount(account.accountNumber)), .text(item.kind.vietnameseName),
                    .text(item.date.iso), .integer(item.amount.dong), .optional(item.reference), .text(item.memo),
                ])
            }
        }
    }

    static func unapplied(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Khoản tiền chưa phân bổ", [
            "Mã giao dịch", "Ngày", "Số tiền (đồng)", "Người chuyển", "Nội dung", "Số ngày chờ",
        ], into: &writer)
        let asOf = report.asOfDate
        for item in report.unapplied {
            writer.append([
                .integer(item.transactionId), .text(item.bookingDate.iso), .integer(item.amount.dong),
                .optional(item.payerName), .text(item.memo), .integer(Int64(item.ageDays(asOf: asOf))),
            ])
        }
    }

    static func aging(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Tuổi nợ", ["Nhóm", "Số hóa đơn", "Số tiền (đồng)"], into: &writer)
        for bucket in report.outstandingAging.buckets {
            writer.append([.text(bucket.age.vietnameseName), .integer(Int64(bucket.invoiceCount)), .integer(bucket.amount.dong)])
        }
        section("Hóa đơn còn nợ lớn nhất", [
            "Mã hóa đơn", "Học sinh", "Mã học sinh", "Lớp", "Kỳ thu", "Hạn nộp", "Còn nợ (đồng)",
        ], into: &writer)
        for invoice in report.outstandingAging.largest {
            writer.append([
                .text(invoice.invoiceCode), .text(invoice.studentName), .text(invoice.studentCode), .text(invoice.className),
                .text(invoice.period.iso), .text(invoice.dueDate.iso), .integer(invoice.outstanding.dong),
            ])
        }
    }

    static func credits(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Tiền nộp thừa của gia đình", ["Mã gia đình", "Gia đình", "Số dư (đồng)"], into: &writer)
        for credit in report.familyCredits {
            writer.append([.text(credit.familyKey), .text(credit.familyName), .integer(credit.balance.dong)])
        }
    }

    static func exceptions(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Có thể nộp trùng", [
            "Mã giao dịch", "Người chuyển", "Số tiền (đồng)", "Nội dung", "Từ ngày", "Đến ngày",
        ], into: &writer)
        for group in report.exceptions.likelyDuplicates {
            writer.append([
                .text(group.transactionIds.map(String.init).joined(separator: " ")), .text(group.payerName),
                .integer(group.amount.dong), .text(group.memo), .text(group.firstBookingDate.iso), .text(group.lastBookingDate.iso),
            ])
        }
        section("Số tiền không gần khoản thu nào", [
            "Mã giao dịch", "Ngày", "Số tiền (đồng)", "Khoản thu gần nhất (đồng)", "Nội dung",
        ], into: &writer)
        for item in report.exceptions.amountsFarFromInvoices {
            writer.append([
                .integer(item.transactionId), .text(item.bookingDate.iso), .integer(item.amount.dong),
                .optional(item.nearestBilledAmount?.dong), .text(item.memo),
            ])
        }
    }

    static func series(_ report: MonthlyReconciliationReport, into writer: inout ReportCSVWriter) {
        section("Thu theo tháng", ["Tháng", "Phải thu (đồng)", "Đã thu (đồng)", "Tỷ lệ thu (điểm cơ bản)", "Tỷ lệ thu"], into: &writer)
        for entry in report.collectionByMonth {
            writer.append([.text(entry.month.iso), .integer(entry.invoiced.dong), .integer(entry.collected.dong)]
                + ReportFormat.rateCSV(entry.collectionRate))
        }
    }
}
