import Core
import Foundation
import Reconciliation
import Testing

/// The KPI report's figures and its three renderings, from a hand-made report.
@Suite struct KPIReportTests {
    static let september = try! CalendarMonth(year: 2026, month: 9)
    static let generatedAt = Date(timeIntervalSince1970: 1_790_000_000.75)

    static func report(period: KPIPeriod = .month(try! CalendarMonth(year: 2026, month: 11))) throws -> KPIReport {
        let ward = KPIFigures(generalSchools: 4, bankSchools: 1, bankPayments: 30, cashPayments: 10,
                              bankAmount: Money(dong: 15_000_000), cashAmount: Money(dong: 5_000_000))
        let commune = KPIFigures(generalSchools: 0, bankSchools: 0, bankPayments: 0, cashPayments: 3,
                                 bankAmount: .zero, cashAmount: Money(dong: 900_000))
        let department = KPIFigures(generalSchools: 2, bankSchools: 2, bankPayments: 10, cashPayments: 0,
                                    bankAmount: Money(dong: 6_000_000), cashAmount: .zero)
        let trend = period.trendMonths.enumerated().map { index, month in
            KPIMonthPoint(month: month, figures: KPIFigures(generalSchools: 6, bankSchools: min(index + 1, 6), bankPayments: 10 * (index + 1),
                                                            cashPayments: 10, bankAmount: Money(dong: 1_000_000), cashAmount: Money(dong: 1_000_000)))
        }
        return try KPIReport(provinceName: "Sở Giáo dục và Đào tạo Thái Nguyên", period: period, generatedAt: generatedAt, authorities: [
            KPIAuthorityRow(code: "UBND-05500", name: "UBND Phường Phan Đình Phùng", kind: .commune, figures: ward),
            KPIAuthorityRow(code: "UBND-05600", name: "UBND Phường Tích Lương", kind: .commune, figures: commune),
            KPIAuthorityRow(code: "SGDDT", name: "Sở Giáo dục và Đào tạo", kind: .department, figures: department),
        ], trend: trend)
    }

    @Test func sharesCountSchoolsPaymentsAndMoney() throws {
        let report = try Self.report()
        let province = report.province
        #expect(province.generalSchools == 6 && province.bankSchools == 3)
        #expect(province.bankSchoolShare == BasisPoints(5_000))
        #expect(province.cashlessShareByCount == BasisPoints.ratio(40, of: 53))
        #expect(province.cashlessShareByValue == BasisPoints.ratio(21_000_000, of: 26_900_000))
        // No general-education school, no payment: "no data", never 0 %.
        let empty = KPIFigures()
        #expect(empty.bankSchoolShare == nil && empty.cashlessShareByCount == nil && empty.cashlessShareByValue == nil)
        // The department first, then communes by Vietnamese name.
        #expect(report.authorities.map(\.code) == ["SGDDT", "UBND-05500", "UBND-05600"])
    }

    @Test func theTrendRunsFromSeptemberOfTheSchoolYear() throws {
        #expect(KPIPeriod.month(try CalendarMonth(year: 2027, month: 2)).trendMonths.map(\.iso)
                == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"])
        #expect(KPIPeriod.month(Self.september).trendMonths == [Self.september])
        let year = KPIPeriod.schoolYear(2026)
        #expect(year.trendMonths.count == 12 && year.trendMonths.first == Self.september && year.trendMonths.last?.iso == "2027-08")
        #expect(year.months == year.trendMonths && year.iso == "2026-2027")
        // The calendar's first months: their school year began before it, so the trend starts at its first January.
        #expect(KPIPeriod.month(try CalendarMonth(year: 1900, month: 3)).trendMonths.map(\.iso) == ["1900-01", "1900-02", "1900-03"])
        #expect(KPIPeriod.month(try CalendarMonth(year: 1900, month: 9)).trendMonths.map(\.iso) == ["1900-09"])
    }

    @Test func aReportWithMoreBankSchoolsThanSchoolsIsRefused() {
        let broken = KPIFigures(generalSchools: 1, bankSchools: 2)
        #expect(throws: ReportError.self) {
            try KPIReport(provinceName: "x", period: .month(Self.september), generatedAt: Self.generatedAt,
                          authorities: [KPIAuthorityRow(code: "A", name: "A", kind: .commune, figures: broken)], trend: [])
        }
    }

    @Test func jsonStatesTheDefinitionTargetsAndEveryFigure() throws {
        let text = KPIReportJSON.render(try Self.report())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "tuition/kpi-report/1" && json["period"] as? String == "2026-11")
        #expect((json["definition"] as? String ?? "").contains("ít nhất một khoản thanh toán qua ngân hàng"))
        let targets = json["targets"] as? [String: [String: Any]] ?? [:]
        #expect(targets["bankSchools2025"]?["basisPoints"] as? Int == 2_500 && targets["cashless2030"]?["basisPoints"] as? Int == 8_000)
        let province = json["province"] as? [String: Any] ?? [:]
        #expect(province["generalEducationSchools"] as? Int == 6 && province["schoolsCollectingThroughBanks"] as? Int == 3)
        #expect(province["meetsTarget2025"] as? Bool == true && province["meetsTarget2030"] as? Bool == false)
        #expect((province["cashlessShareByCount"] as? [String: Any])?["basisPoints"] as? Int == Int(BasisPoints.ratio(40, of: 53)!.value))
        let authorities = json["authorities"] as? [[String: Any]] ?? []
        #expect(authorities.map { $0["code"] as? String ?? "" } == ["SGDDT", "UBND-05500", "UBND-05600"])
        #expect(((authorities[2]["figures"] as? [String: Any])?["bankSchoolShare"] as? [String: Any])?["basisPoints"] is NSNull)
        #expect((json["trend"] as? [[String: Any]])?.map { $0["month"] as? String ?? "" } == ["2026-09", "2026-10", "2026-11"])
        #expect(text == KPIReportJSON.render(try Self.report()))
    }

    @Test func csvHasABOMARowPerAuthorityTheProvinceAndEachMonth() throws {
        let bytes = KPIReportCSV.render(try Self.report())
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 + 1 + 3 + 1 + 3)
        #expect(lines[1].hasPrefix("Loại dòng,Kỳ,Mã cơ quan quản lý"))
        #expect(lines[2].hasPrefix("Cơ quan quản lý,2026-11,SGDDT,Sở Giáo dục và Đào tạo,2,2,10000,100 %,Đạt,Đạt,10,0,6000000,0"))
        #expect(lines[5].hasPrefix("Toàn tỉnh,2026-11,,Sở Giáo dục và Đào tạo Thái Nguyên,6,3,5000,50 %,Đạt,Chưa đạt,40,13,21000000,5900000"))
        #expect(lines[6].hasPrefix("Tháng,2026-09,"))
        let semicolon = String(decoding: KPIReportCSV.render(try Self.report(), separator: .semicolon).dropFirst(3), as: UTF8.self)
        #expect(semicolon.contains("Toàn tỉnh;2026-11;;"))
    }

    @Test func thePageDrawsBothTargetsAndEscapesNames() throws {
        var report = try Self.report()
        report.authorities[1].name = "UBND <script>alert(1)</script>"
        let html = KPIReportPage.html(report)
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
        #expect(html.contains("<svg") && html.contains("Chỉ tiêu 2025: 25 %") && html.contains("Chỉ tiêu 2030: 80 %"))
        let targetLines = html.components(separatedBy: "<line class=\"target\"").count - 1
        #expect(targetLines == 2)
        // 25 % and 80 % sit at their heights on the 0–100 % axis.
        #expect(html.contains("y1=\"\(KPIChartGeometry.y(2_500))\"") && html.contains("y1=\"\(KPIChartGeometry.y(8_000))\""))
        #expect(html.contains("3/6 trường phổ thông thu qua ngân hàng"))
        #expect(KPIReportPage.html(try Self.report(period: .schoolYear(2026))).contains("Năm học 2026–2027"))
    }
}

/// The chart's vertical scale, restated: 256 px at 0 %, 24 px at 100 %.
enum KPIChartGeometry {
    static func y(_ basisPoints: Int64) -> Int { 256 - Int(basisPoints * (256 - 24) / 10_000) }
}
