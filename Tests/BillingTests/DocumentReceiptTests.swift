import Billing
import Core
import Foundation
import TestSupport
import Testing

@Suite struct DocumentReceiptTests {
    @Test func receiptNumbersAreYearSlashSixDigitsAndParseBack() throws {
        let number = try ReceiptNumber(schoolYear: 2026, sequence: 123)
        #expect(number.text == "2026/000123")
        #expect(try ReceiptNumber(parsing: "2026/000123") == number)
        #expect(try ReceiptNumber(schoolYear: 2026, sequence: 999_999).text == "2026/999999")
        #expect(try ReceiptNumber(schoolYear: 2026, sequence: 1) < ReceiptNumber(schoolYear: 2026, sequence: 2))
        #expect(try ReceiptNumber(schoolYear: 2025, sequence: 999_999) < ReceiptNumber(schoolYear: 2026, sequence: 1))
        for bad in ["2026/000000", "2026/1234567", "2026-000123", "26/000123", "2026/00012a", "", "2026/ 00123"] {
            #expect(throws: DocumentError.invalidReceiptNumber(bad)) { try ReceiptNumber(parsing: bad) }
        }
        #expect(throws: DocumentError.invalidReceiptNumber("2026/1000000")) { try ReceiptNumber(schoolYear: 2026, sequence: 1_000_000) }
        let encoded = try JSONEncoder().encode([number])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"2026\\/000123\"]")
        #expect(try JSONDecoder().decode([ReceiptNumber].self, from: encoded) == [number])
    }

    @Test func theReceiptShowsNumberPayerStudentsItemsAndAmountInFiguresAndWords() throws {
        let receipt = try DocumentFixture.receipt()
        let html = ReceiptPage.html(receipt)
        #expect(html.contains("BIÊN LAI THU TIỀN"))
        #expect(html.contains("Số:</span> <span class=\"value\">2026/000123</span>"))
        #expect(html.contains("Ngày:</span> <span class=\"value\">20/09/2026</span>"))
        #expect(html.contains("Ngày 20 tháng 09 năm 2026"))
        #expect(html.contains("Họ tên người nộp tiền:</span> <span class=\"value\">Nguyễn Văn Hùng</span>"))
        #expect(html.contains("Nguyễn Văn An – mã học sinh HP2345X – lớp 3A"))
        #expect(html.contains("Nguyễn Thị Bình – mã học sinh HP2346Y – lớp 5B"))
        for item in receipt.items {
            #expect(html.contains("<td>\(item.invoiceCode)</td><td>Tháng 9/2026</td><td>\(item.feeSummary)</td>"
                + "<td class=\"number\">\(MoneyFormat.vietnamese(item.amountApplied))</td>"))
        }
        #expect(html.contains("<td>Nguyễn Thị Bình</td><td>HP7K2R3XB</td>"))
        #expect(html.contains("Số tiền:</span> <span class=\"value\">2.000.000 đ</span>"))
        #expect(html.contains("Bằng chữ: Hai triệu đồng."))
        #expect(html.contains("Chuyển khoản (mã giao dịch: FT26251123456)"))
        #expect(html.contains("Trần Thị Mai"))
        #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
    }

    @Test func whatTheItemsDoNotTakeIsPrintedAsCredit() throws {
        let receipt = try DocumentFixture.receipt()
        #expect(receipt.amountApplied == Money(dong: 1_850_000))
        #expect(receipt.credit == Money(dong: 150_000))
        let html = ReceiptPage.html(receipt)
        #expect(html.contains("Cộng các khoản đã thu</td><td class=\"number\">1.850.000 đ"))
        #expect(html.contains("ghi có cho gia đình (trừ vào kỳ sau)</td><td class=\"number\">150.000 đ"))
        #expect(html.contains("Tổng số tiền đã nhận</td><td class=\"number\">2.000.000 đ"))
        let exact = try DocumentFixture.receipt(amount: Money(dong: 1_850_000), method: .cash)
        let exactHTML = ReceiptPage.html(exact)
        #expect(!exactHTML.contains("ghi có"))
        #expect(exactHTML.contains("Hình thức thanh toán:</span> <span class=\"value\">Tiền mặt</span>"))
        #expect(exactHTML.contains("Bằng chữ: Một triệu tám trăm năm mươi nghìn đồng."))
        let ahead = try DocumentFixture.receipt(amount: Money(dong: 500_000), items: [])
        #expect(ReceiptPage.html(ahead).contains("Khoản nộp trước"))
    }

    @Test func thePayerNameIsEscaped() throws {
        let html = ReceiptPage.html(try DocumentFixture.receipt(payer: "<script>x()</script>Hùng & Lan"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;x()&lt;/script&gt;Hùng &amp; Lan"))
        #expect(HTMLCheck.problems(html).isEmpty)
        #expect(HTMLCheck.openings("table", in: html) == 1 && HTMLCheck.count("</table>", in: html) == 1)
    }

    @Test func inconsistentReceiptsAreRefused() throws {
        let items = [ReceiptItem(studentCode: "HP2345X", invoiceCode: "HP7K2Q9XA", period: DocumentFixture.september,
                                 feeSummary: "Học phí", amountApplied: Money(dong: 900_000))]
        #expect(throws: DocumentError.amountNotAllowed(field: "items", dong: 900_000, rule: "the items take more than the amount received")) {
            try DocumentFixture.receipt(amount: Money(dong: 800_000), items: items)
        }
        var stranger = items
        stranger[0].studentCode = "HP9999Z"
        #expect(throws: DocumentError.unknownStudentCode(field: "items[0]", code: "HP9999Z")) {
            try DocumentFixture.receipt(items: stranger)
        }
        var zero = items
        zero[0].amountApplied = .zero
        #expect(throws: DocumentError.amountNotAllowed(field: "items[0].amountApplied", dong: 0, rule: "must be positive")) {
            try DocumentFixture.receipt(items: zero)
        }
        #expect(throws: DocumentError.amountNotAllowed(field: "amount", dong: 0, rule: "must be positive")) {
            try DocumentFixture.receipt(amount: .zero, items: [])
        }
        #expect(throws: DocumentError.emptyText(field: "method.reference")) {
            try DocumentFixture.receipt(method: .bankTransfer(reference: ""))
        }
        #expect(throws: DocumentError.emptyText(field: "payerName")) { try DocumentFixture.receipt(payer: "") }
    }

    @Test func receiptsRoundTripThroughCodable() throws {
        for method in [ReceiptPaymentMethod.cash, .bankTransfer(reference: "FT1")] {
            let receipt = try DocumentFixture.receipt(method: method)
            let decoded = try JSONDecoder().decode(Receipt.self, from: JSONEncoder().encode(receipt))
            #expect(decoded == receipt)
        }
    }
}
