import Billing
import Core
import Foundation
import TestSupport
import Testing
import VietQR

@Suite struct DocumentFeeNoticeTests {
    @Test func everyLineIsListedWithItsAmountsAndTheTotal() throws {
        let notice = try DocumentFixture.notice()
        let html = FeeNoticePage.html(notice)
        #expect(html.contains("THÔNG BÁO HỌC PHÍ VÀ CÁC KHOẢN THU"))
        for (index, line) in notice.lines.enumerated() {
            let row = "<tr><td class=\"center\">\(index + 1)</td><td>\(line.feeName)</td>"
                + "<td class=\"number\">\(MoneyFormat.vietnamese(line.amount))</td>"
            #expect(html.contains(row), "line \(index) missing")
            #expect(html.contains(MoneyFormat.vietnamese(line.lineTotal)))
        }
        #expect(HTMLCheck.count("<tr><td class=\"center\">", in: html) == notice.lines.count)
        // 150.000 + (650.000 − 130.000) + 1.200.000
        #expect(notice.total == Money(dong: 1_870_000))
        #expect(html.contains("Tổng cộng</td><td class=\"number\">1.870.000 đ</td>"))
        #expect(html.contains("130.000 đ</td><td>Hộ nghèo (giảm 20%)</td><td class=\"number\">520.000 đ"))
        #expect(html.contains("Một triệu tám trăm bảy mươi nghìn đồng"))
        #expect(html.contains(AmountInWords.vietnamese(notice.total)))
        #expect(!html.contains("Còn phải nộp"), "nothing paid yet: no balance line")
    }

    @Test func periodDatesAndStudentAreWrittenTheVietnameseWay() throws {
        let html = FeeNoticePage.html(try DocumentFixture.notice())
        #expect(html.contains("Tháng 9/2026"))
        #expect(html.contains("Hạn nộp:</span> <span class=\"value\">15/09/2026</span>"))
        #expect(html.contains("Ngày lập:</span> <span class=\"value\">01/09/2026</span>"))
        #expect(html.contains("Ngày 01 tháng 09 năm 2026"))
        #expect(html.contains("Nguyễn Văn An") && html.contains("HP2345X") && html.contains("3A"))
        #expect(html.contains("Trường Tiểu học Kim Đồng") && html.contains("Quận Ba Đình") && html.contains("12 Phố Đội Cấn"))
    }

    @Test func theQRCodeIsEmbeddedWithTheBankDetailsAndTheMemo() throws {
        let notice = try DocumentFixture.notice()
        let transfer = try #require(notice.bankTransfer)
        let html = FeeNoticePage.html(notice)
        #expect(html.contains("<div class=\"qr\">\n" + transfer.qrCodeSVG + "\n</div>"))
        #expect(HTMLCheck.count("<svg", in: html) == 1)
        #expect(transfer.transferMemo.hasPrefix(notice.invoiceCode))
        #expect(html.contains("Quét mã QR bằng ứng dụng ngân hàng hoặc chuyển khoản với nội dung: "
            + "<span class=\"memo\">\(transfer.transferMemo)</span>"))
        #expect(html.contains("VietinBank") && html.contains("0011001932418") && html.contains("TRUONG TIEU HOC KIM DONG"))
        #expect(html.contains("Số tiền:</span> <span class=\"value\">1.870.000 đ</span>"))
    }

    @Test func textFromUsersIsEscaped() throws {
        let hostile = DocumentStudent(fullName: "<script>alert('x')</script> An", code: "HP\"><b>", className: "3A & 3B")
        var lines = DocumentFixture.lines
        lines[0].feeName = "Học phí <img src=x onerror=alert(1)>"
        let notice = try DocumentFixture.notice(student: hostile, lines: lines)
        let html = FeeNoticePage.html(notice)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; An"))
        #expect(html.contains("HP&quot;&gt;&lt;b&gt;"))
        #expect(html.contains("3A &amp; 3B"))
        #expect(HTMLCheck.problems(html).isEmpty)
        #expect(HTMLText.escaped("a\u{0}b\u{7}c\u{7F}d\te\n") == "abcd\te\n")
    }

    @Test func thePageIsSelfContainedPrintableAndBalanced() throws {
        for notice in [try DocumentFixture.notice(), try DocumentFixture.notice(cashOnly: true)] {
            let html = FeeNoticePage.html(notice)
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"vi\">"))
            #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
            for tag in ["html", "head", "body", "table", "style"] {
                #expect(HTMLCheck.openings(tag, in: html) == HTMLCheck.count("</\(tag)>", in: html), "\(tag)")
            }
            #expect(HTMLCheck.openings("html", in: html) == 1 && HTMLCheck.openings("body", in: html) == 1)
            #expect(HTMLCheck.openings("table", in: html) == 1)
            #expect(html.contains("@media print") && html.contains("size: A4"))
            #expect(html.contains("<meta charset=\"utf-8\">"))
            for forbidden in ["<script", "<link", "src=", "url(", "@import", "https:"] {
                #expect(!html.contains(forbidden), "\(forbidden)")
            }
            // The only absolute URL is the SVG namespace, which is an identifier, not a fetch.
            #expect(html.ranges(of: "http://").count == HTMLCheck.count("xmlns=\"http://www.w3.org/2000/svg\"", in: html))
        }
    }

    @Test func aPartlyPaidNoticeAsksForTheRest() throws {
        let notice = try DocumentFixture.notice(alreadyPaid: Money(dong: 370_000))
        #expect(notice.amountDue == Money(dong: 1_500_000))
        let html = FeeNoticePage.html(notice)
        #expect(html.contains("Đã thanh toán</td><td class=\"number\">370.000 đ"))
        #expect(html.contains("Còn phải nộp</td><td class=\"number\">1.500.000 đ"))
        #expect(html.contains("bằng chữ: Một triệu năm trăm nghìn đồng."))
        #expect(html.contains("Số tiền:</span> <span class=\"value\">1.500.000 đ</span>"))
    }

    @Test func cashOnlyAndFullyPaidNoticesHaveNoQRCode() throws {
        let cash = FeeNoticePage.html(try DocumentFixture.notice(cashOnly: true))
        #expect(!cash.contains("<svg"))
        #expect(cash.contains("nộp tiền mặt tại phòng kế toán nhà trường trước ngày 15/09/2026"))
        let paid = try DocumentFixture.notice(alreadyPaid: DocumentFixture.total(DocumentFixture.lines))
        let paidHTML = FeeNoticePage.html(paid)
        #expect(!paidHTML.contains("<svg"))
        #expect(paidHTML.contains("Hóa đơn đã được thanh toán đủ."))
        #expect(paidHTML.contains("bằng chữ: Không đồng."))
    }

    @Test func inconsistentNoticesAreRefusedNamingTheField() throws {
        let lines = DocumentFixture.lines
        func make(lines: [FeeNoticeLine] = lines, total: Money? = nil, alreadyPaid: Money = .zero,
                  transfer: FeeNoticeBankTransfer? = nil, student: DocumentStudent = DocumentFixture.an) throws(DocumentError) {
            _ = try FeeNotice(
                school: DocumentFixture.school, student: student, invoiceCode: DocumentFixture.invoiceCode.text,
                period: DocumentFixture.september, issuedOn: DocumentFixture.issued, dueDate: DocumentFixture.due, lines: lines,
                total: total ?? DocumentFixture.total(lines), alreadyPaid: alreadyPaid, bankTransfer: transfer)
        }
        #expect(throws: DocumentError.totalMismatch(field: "total", stated: 1_000_000, computed: 1_870_000)) {
            try make(total: Money(dong: 1_000_000))
        }
        var noReason = lines
        noReason[1].discountReason = " "
        #expect(throws: DocumentError.discountWithoutReason(field: "lines[1]")) { try make(lines: noReason) }
        var tooMuch = lines
        tooMuch[0].discount = Money(dong: 200_000)
        tooMuch[0].discountReason = "Miễn"
        #expect(throws: DocumentError.amountNotAllowed(field: "lines[0].discount", dong: 200_000, rule: "must not exceed the amount")) {
            try make(lines: tooMuch)
        }
        #expect(throws: DocumentError.noItems(field: "lines")) { try make(lines: []) }
        let many = Array(repeating: lines[0], count: DocumentLimits.noticeLinesMax + 1)
        #expect(throws: DocumentError.tooManyItems(field: "lines", count: 31, max: 30)) { try make(lines: many) }
        #expect(throws: DocumentError.emptyText(field: "student.fullName")) {
            try make(student: DocumentStudent(fullName: "  ", code: "X", className: "1A"))
        }
        let longName = String(repeating: "A", count: DocumentLimits.textCharactersMax + 1)
        #expect(throws: DocumentError.textTooLong(field: "student.fullName", characters: 301, max: 300)) {
            try make(student: DocumentStudent(fullName: longName, code: "X", className: "1A"))
        }
        #expect(throws: DocumentError.amountNotAllowed(field: "alreadyPaid", dong: 2_000_000, rule: "must not exceed the total")) {
            try make(alreadyPaid: Money(dong: 2_000_000))
        }
        var outOfBounds = lines
        outOfBounds[0].amount = Money(dong: Money.absoluteDongMax + 1)
        #expect(throws: DocumentError.amountOutOfBounds(field: "lines[0].amount", dong: Money.absoluteDongMax + 1)) {
            try make(lines: outOfBounds)
        }
    }

    @Test func theMemoMustStartWithTheInvoiceCodeAndTheQRImageMustBeABareSVG() throws {
        let good = try DocumentFixture.transfer(amount: DocumentFixture.total(DocumentFixture.lines))
        func make(_ transfer: FeeNoticeBankTransfer) throws(DocumentError) {
            _ = try FeeNotice(
                school: DocumentFixture.school, student: DocumentFixture.an, invoiceCode: DocumentFixture.invoiceCode.text,
                period: DocumentFixture.september, issuedOn: DocumentFixture.issued, dueDate: DocumentFixture.due,
                lines: DocumentFixture.lines, total: DocumentFixture.total(DocumentFixture.lines), bankTransfer: transfer)
        }
        try make(good)
        var swapped = good
        swapped.transferMemo = "NGUYEN VAN AN " + DocumentFixture.invoiceCode.text
        #expect(throws: DocumentError.transferMemoMustStartWithInvoiceCode(
            memo: swapped.transferMemo, invoiceCode: DocumentFixture.invoiceCode.text)) { try make(swapped) }
        var long = good
        long.transferMemo = DocumentFixture.invoiceCode.text + String(repeating: " X", count: 10)
        #expect(throws: DocumentError.transferMemoTooLong(characters: long.transferMemo.count, max: 25)) { try make(long) }
        let hostile = [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "contains <script"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>", "contains an event handler attribute"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"https://x\"><rect/></a></svg>", "contains href"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><foreignObject></foreignObject></svg>", "contains <foreignobject"),
            ("<img src=x></svg>", "not a single <svg> element"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg><script>alert(1)</script>", "not a single <svg> element"),
        ]
        for (svg, reason) in hostile {
            var bad = good
            bad.qrCodeSVG = svg
            #expect(throws: DocumentError.unsafeQRCodeSVG(reason: reason), "\(svg)") { try make(bad) }
        }
    }

    @Test func decodingChecksTheSameRules() throws {
        let notice = try DocumentFixture.notice()
        let data = try JSONEncoder().encode(notice)
        #expect(try JSONDecoder().decode(FeeNotice.self, from: data) == notice)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["total"] = 1
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DocumentError.totalMismatch(field: "total", stated: 1, computed: 1_870_000)) {
            try JSONDecoder().decode(FeeNotice.self, from: tampered)
        }
    }
}
