import Core

/// The lower sections of the monthly page: what needs a person.
enum MonthlyReportSections {
    static func unapplied(_ report: MonthlyReconciliationReport) -> String {
        let asOf = report.asOfDate
        var table = ReportHTMLTable(headers: ["Ngày", "Số tiền", "Người chuyển", "Nội dung", "Số ngày chờ", "Mã giao dịch"],
                                    numericColumns: [1, 4, 5])
        table.rows = report.unapplied.map { item in
            [item.bookingDate.vietnamese, MoneyFormat.vietnamese(item.amount), item.payerName ?? "", item.memo,
             String(item.ageDays(asOf: asOf)), String(item.transactionId)]
        }
        if !report.unapplied.isEmpty {
            table.footer = [["Cộng \(report.unapplied.count) khoản", MoneyFormat.vietnamese(report.unappliedTotal), "", "", "", ""]]
        }
        return ReportHTML.heading("4. Khoản tiền chưa phân bổ",
                                  note: "Tiền đã về tài khoản nhưng chưa xác định được hóa đơn; kế toán xử lý trong hàng chờ.")
            + table.html()
    }

    static func aging(_ report: MonthlyReconciliationReport) -> String {
        let aging = report.outstandingAging
        var buckets = ReportHTMLTable(headers: ["Tuổi nợ", "Số hóa đơn", "Số tiền"], numericColumns: [1, 2])
        buckets.rows = aging.buckets.map { [$0.age.vietnameseName, String($0.invoiceCount), MoneyFormat.vietnamese($0.amount)] }
        buckets.footer = [["Cộng", String(aging.totalCount), MoneyFormat.vietnamese(aging.totalAmount)]]
        var largest = ReportHTMLTable(
            caption: "Hóa đơn còn nợ lớn nhất",
            headers: ["Mã hóa đơn", "Học sinh", "Mã học sinh", "Lớp", "Kỳ thu", "Hạn nộp", "Còn nợ"], numericColumns: [6])
        largest.rows = aging.largest.map { invoice in
            [invoice.invoiceCode, invoice.studentName, invoice.studentCode, invoice.className,
             ReportFormat.monthTitle(invoice.period), invoice.dueDate.vietnamese, MoneyFormat.vietnamese(invoice.outstanding)]
        }
        return ReportHTML.heading("5. Công nợ theo tuổi nợ",
                                  note: "Tuổi nợ tính theo số tháng từ kỳ thu của hóa đơn đến tháng báo cáo.")
            + buckets.html() + largest.html()
    }

    static func familyCredits(_ report: MonthlyReconciliationReport) -> String {
        var table = ReportHTMLTable(headers: ["Mã gia đình", "Gia đình", "Số dư"], numericColumns: [2])
        table.rows = report.familyCredits.map { [$0.familyKey, $0.familyName, MoneyFormat.vietnamese($0.balance)] }
        if !report.familyCredits.isEmpty {
            table.footer = [["Cộng", "", MoneyFormat.vietnamese(report.familyCreditTotal)]]
        }
        return ReportHTML.heading("6. Tiền nộp thừa của gia đình",
                                  note: "Số tiền nộp nhiều hơn số phải thu, được trừ vào các kỳ sau.")
            + table.html()
    }

    static func exceptions(_ report: MonthlyReconciliationReport) -> String {
        var duplicates = ReportHTMLTable(
            caption: "Có thể nộp trùng (cùng người chuyển, số tiền và nội dung trong vài ngày)",
            headers: ["Mã giao dịch", "Người chuyển", "Số tiền", "Nội dung", "Từ ngày", "Đến ngày"], numericColumns: [2])
        duplicates.rows = report.exceptions.likelyDuplicates.map { group in
            [group.transactionIds.map(String.init).joined(separator: ", "), group.payerName, MoneyFormat.vietnamese(group.amount),
             group.memo, group.firstBookingDate.vietnamese, group.lastBookingDate.vietnamese]
        }
        var far = ReportHTMLTable(
            caption: "Số tiền không gần khoản thu nào",
            headers: ["Mã giao dịch", "Ngày", "Số tiền", "Khoản thu gần nhất", "Nội dung"], numericColumns: [2, 3])
        far.rows = report.exceptions.amountsFarFromInvoices.map { item in
            [String(item.transactionId), item.bookingDate.vietnamese, MoneyFormat.vietnamese(item.amount),
             item.nearestBilledAmount.map(MoneyFormat.vietnamese) ?? "—", item.memo]
        }
        return ReportHTML.heading("7. Ngoại lệ cần kiểm tra") + duplicates.html() + far.html()
    }
}
