import CivilCalendar
import Foundation
import Testing

/// The one day ↔ date routine, checked against Foundation's Gregorian calendar as an independent peer.
@Suite struct CivilDayTests {
    static let utcGregorian: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    @Test func agreesWithFoundationFrom1900To2999() throws {
        let first = CivilDay(year: 1900, month: 1, day: 1).daysSinceEpoch
        let last = CivilDay(year: 2999, month: 12, day: 31).daysSinceEpoch
        #expect(first == -25_567 && last == 376_199)
        for days in stride(from: first, through: last, by: 1) {
            let civil = CivilDay(daysSinceEpoch: days)
            let instant = Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
            let parts = Self.utcGregorian.dateComponents([.year, .month, .day, .weekday], from: instant)
            guard civil.year == parts.year, civil.month == parts.month, civil.day == parts.day,
                  CivilDay.weekday(daysSinceEpoch: days) == parts.weekday! - 1, civil.daysSinceEpoch == days else {
                Issue.record("day \(days): \(civil) but Foundation says \(parts)")
                return
            }
        }
    }

    @Test func knownDaysAndLeapRules() {
        #expect(CivilDay(daysSinceEpoch: 0) == CivilDay(year: 1970, month: 1, day: 1))
        #expect(CivilDay(daysSinceEpoch: -1) == CivilDay(year: 1969, month: 12, day: 31))
        #expect(CivilDay(year: 2000, month: 2, day: 29).daysSinceEpoch + 1 == CivilDay(year: 2000, month: 3, day: 1).daysSinceEpoch)
        #expect(CivilDay(year: 2100, month: 2, day: 28).daysSinceEpoch + 1 == CivilDay(year: 2100, month: 3, day: 1).daysSinceEpoch)
        #expect(CivilDay.weekday(daysSinceEpoch: 0) == 4)  // a Thursday
        #expect(CivilDay.weekday(daysSinceEpoch: -1) == 3)
        #expect(CivilDay(year: 2026, month: 9, day: 5).daysSinceEpoch == 20_701)
    }
}
