import Core
import Reconciliation
import Testing

@Suite struct ReportCSVTests {
    @Test func theFileIsUTF8WithBOMAndCRLFAndUniformRows() throws {
        let bytes = MonthlyReportCSV.render(try ReportFixture.report())
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(Array(bytes.suffix(2)) == [0x0D, 0x0A])
        let rows = try #require(ReportCheck.parseCSV(bytes), "not strict RFC 4180")
        #expect(Set(rows.map(\.count)).count == 1, "every row has the same number of fields")
        #expect(String(validating: bytes.dropFirst(3), as: UTF8.self) != nil)
    }

    @Test func headersAreVietnameseWithDiacritics() throws {
        let rows = try #require(ReportCheck.parseCSV(MonthlyReportCSV.render(try ReportFixture.report())))
        let firstCells = rows.map { $0[0] }
        for title in ["Báo cáo đối soát tháng", "Tổng hợp", "Tài khoản ngân hàng", "Các khoản giải thích chênh lệch",
                      "Khoản tiền chưa phân bổ", "Tuổi nợ", "Hóa đơn còn nợ lớn nhất", "Tiền nộp thừa của gia đình",
                      "Có thể nộp trùng", "Số tiền không gần khoản thu nào", "Thu theo tháng"] {
            #expect(firstCells.contains(title), "\(title)")
        }
        let accountHeader = try #require(rows.first { $0[0] == "Ngân hàng" })
        #expect(accountHeader.prefix(8) == ["Ngân hàng", "Số tài khoản", "Số dư sổ sách cuối tháng (đồng)", "Số dư sao kê (đồng)",
                                            "Ngày sao kê", "Chênh lệch sổ sách − sao kê (đồng)", "Đã giải thích (đồng)",
                                            "Chưa giải thích (đồng)"])
        #expect(rows.contains { $0.prefix(3) == ["Tỷ lệ thu", "", "8750"] && $0[3] == "87,5 %" })
        #expect(rows.contains { $0.prefix(2) == ["Tổng đã thu", "350000000"] })
    }

    @Test func quotingSurvivesCommasQuotesAndLineBreaks() throws {
        let report = try ReportFixture.report()
        let rows = try #require(ReportCheck.parseCSV(MonthlyReportCSV.render(report)))
        let memo = ReportFixture.unapplied[0].memo
        #expect(memo.contains(",") && memo.contains("\"") && memo.contains("\n"))
        #expect(rows.contains { $0.prefix(5) == ["9001", "2026-09-03", "650000", "LE VAN TAM", memo] && $0[5] == "27" })
    }

    @Test func formulaLikeTextIsDefusedButOurNumbersAreNot() throws {
        let rows = try #require(ReportCheck.parseCSV(MonthlyReportCSV.render(try ReportFixture.report())))
        let cells = rows.flatMap { $0 }
        #expect(cells.contains("'=HYPERLINK(\"http://x\",\"bấm\")"))
        #expect(cells.contains("'+84 912 345 678 chuyen tien"))
        #expect(cells.contains("'@NOP TIEN"))
        #expect(!cells.contains { $0.hasPrefix("=") || $0.hasPrefix("+") || $0.hasPrefix("@") })
        // A negative amount we wrote stays a number.
        #expect(cells.contains("-200000"))
        #expect(!cells.contains("'-200000"))
        for text in ["-x", "\tx", "\rx", "=1+1"] {
            let report = try ReportFixture.report(credits: [FamilyCredit(familyKey: "K", familyName: text, balance: Money(dong: 1))])
            let parsed = try #require(ReportCheck.parseCSV(MonthlyReportCSV.render(report)))
            #expect(parsed.contains { $0.prefix(3) == ["K", "'" + text, "1"] }, "\(text.debugDescription)")
        }
    }

    @Test func accountNumbersAreMaskedToTheLastFourCharacters() throws {
        let bytes = MonthlyReportCSV.render(try ReportFixture.report())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("****2418") && text.contains("****4567"))
        #expect(!text.contains("0011001932418") && !text.contains("1500201084567"))
    }

    @Test func aSemicolonSeparatorQuotesSemicolons() throws {
        let report = try ReportFixture.report(credits: [FamilyCredit(familyKey: "K;1", familyName: "A, B", balance: Money(dong: 5))])
        let rows = try #require(ReportCheck.parseCSV(MonthlyReportCSV.render(report, separator: .semicolon), separator: ";"))
        #expect(rows.contains { $0.prefix(3) == ["K;1", "A, B", "5"] })
    }

    @Test func theProvinceTableHasOneRowPerSchoolSubtotalsAndATotal() throws {
        let report = try ReportFixture.province()
        let rows = try #require(ReportCheck.parseCSV(ProvinceReportCSV.render(report)))
        #expect(rows[0] == ProvinceReportCSV.header)
        #expect(rows[0].contains("Tỷ lệ không dùng tiền mặt") && rows[0].contains("Trạng thái đối soát"))
        #expect(Set(rows.map(\.count)) == [ProvinceReportCSV.header.count])
        let kinds = rows.dropFirst().map { $0[0] }
        #expect(kinds == ["Trường", "Trường", "Tổng cơ quan quản lý", "Trường", "Tổng cơ quan quản lý", "Trường", "Trường",
                          "Tổng cơ quan quản lý", "Tổng tỉnh"])
        let schoolCodes = rows.filter { $0[0] == "Trường" }.map { $0[3] }
        #expect(schoolCodes == ["BD-01", "BD-02", "CG-01", "DD-01", "DD-02"])
        let invoicedColumn = 6
        for district in report.districts {
            let subtotal = try #require(rows.first { $0[0] == "Tổng cơ quan quản lý" && $0[2] == district.name })
            let sum = rows.filter { $0[0] == "Trường" && $0[2] == district.name }.map { Int64($0[invoicedColumn])! }.reduce(0, +)
            #expect(Int64(subtotal[invoicedColumn]) == sum)
        }
        let total = try #require(rows.last)
        #expect(total[invoicedColumn] == "350000000")
        // BD-02 billed nothing: its rates are "no data", not 0.
        let empty = try #require(rows.first { $0[3] == "BD-02" })
        #expect(empty[11] == "" && empty[12] == "Không có dữ liệu")
        #expect(try #require(rows.first { $0[3] == "CG-01" })[12] == "130 %")
    }
}
