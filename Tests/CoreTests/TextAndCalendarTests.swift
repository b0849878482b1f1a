import Foundation
import Testing
@testable import Core

@Suite struct TextAndCalendarTests {
    @Test func normalisesVietnameseText() {
        #expect(VietnameseText.normalized("Nguyễn Văn Đức") == "NGUYEN VAN DUC")
        #expect(VietnameseText.normalized("  trần__thị.bé-na//ABC  ") == "TRAN THI BE NA ABC")
        #expect(VietnameseText.normalized("Học phí tháng 9/2026") == "HOC PHI THANG 9 2026")
        #expect(VietnameseText.normalized("") == "")
        #expect(VietnameseText.asciiFolded("Học  phí\tĐợt 1 — 2026") == "Hoc phi Dot 1 2026")
    }

    /// All-ASCII text takes a byte-level path; it must agree with the Unicode path on every ASCII
    /// character (a trailing em dash is only a separator, but sends the same text down the other path).
    @Test func asciiTextNormalisesAsTheUnicodePathDoes() {
        var samples = ["HP7K2Q9X NGUYEN VAN AN", "  tran__thi.be-na//abc  ", "\tHP-1234_x\n", "", "...", "a", "Z9", "MSHS0001 hoc phi T9/2026"]
        samples.append(String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self))
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 { samples.append(String(decoding: (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...127, using: &random) }, as: UTF8.self)) }
        for sample in samples {
            #expect(VietnameseText.normalizedASCII(sample) == VietnameseText.normalized(sample + "\u{2014}"), "\(sample.debugDescription)")
            #expect(VietnameseText.normalized(sample) == VietnameseText.normalized(sample + "\u{2014}"))
        }
        #expect(VietnameseText.normalizedASCII("Đức") == nil)
    }

    @Test func formatsMoneyTheVietnameseWay() {
        #expect(MoneyFormat.vietnamese(Money(dong: 1_500_000)) == "1.500.000 đ")
        #expect(MoneyFormat.vietnamese(Money(dong: -25_000)) == "-25.000 đ")
        #expect(MoneyFormat.vietnamese(Money(dong: 0)) == "0 đ")
        #expect(MoneyFormat.vietnamese(Money(dong: 999)) == "999 đ")
        #expect(MoneyFormat.groupedDigits(Int64.min, separator: ",") == "-9,223,372,036,854,775,808")
    }

    @Test func moneyArithmeticIsChecked() throws {
        let big = try Money(checkedDong: Money.absoluteDongMax)
        #expect(throws: MoneyError.outOfBounds(Money.absoluteDongMax + 1)) { try big.adding(Money(dong: 1)) }
        #expect(throws: MoneyError.outOfBounds(Int64.max)) { try Money(checkedDong: Int64.max) }
        #expect(throws: MoneyError.overflow) { try Money(dong: Int64.max).multiplied(by: 2) }
        #expect(try Money.sum([Money(dong: 5), Money(dong: -2)]) == Money(dong: 3))
    }

    @Test func calendarDaysRoundTrip() throws {
        for days in stride(from: -25_000, to: 375_000, by: 37) {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(try CalendarDate(iso: date.iso) == date)
        }
        #expect(try CalendarDate(iso: "2024-02-29").adding(days: 1).iso == "2024-03-01")
        #expect(throws: CalendarError.invalidDate("2026-02-29")) { try CalendarDate(iso: "2026-02-29") }
        #expect(throws: CalendarError.invalidDate("2026-9-01")) { try CalendarDate(iso: "2026-9-01") }
        #expect(try CalendarMonth(iso: "2026-12").adding(months: 1).iso == "2027-01")
        #expect(try CalendarMonth(iso: "2027-01").adding(months: -1).iso == "2026-12")
        #expect(try CalendarMonth(iso: "2027-03").schoolYear == 2026)
        #expect(try CalendarMonth(iso: "2026-09").lastDay.iso == "2026-09-30")
    }

    @Test func vietnamTimeIsUTCPlusSeven() throws {
        let instant = Date(timeIntervalSince1970: 1_790_000_000) // 2026-09-21T14:13:20Z
        #expect(VietnamTime.date(of: instant).iso == "2026-09-21")
        let lateEvening = Date(timeIntervalSince1970: 1_790_038_800) // 2026-09-22T01:00:00Z = 08:00 local
        #expect(VietnamTime.date(of: lateEvening).iso == "2026-09-22")
        let midnight = VietnamTime.instant(try CalendarDate(iso: "2026-09-22"))
        #expect(midnight.timeIntervalSince1970 == 1_790_010_000) // 2026-09-21T17:00:00Z
        #expect(VietnamTime.date(of: midnight).iso == "2026-09-22")
        #expect(VietnamTime.date(of: midnight.addingTimeInterval(-1)).iso == "2026-09-21")
    }
}
