import Billing
import Core
import Foundation
import Ledger
import Postgres

/// The demo's fees, 2026–27 the new way: public schools charge no tuition and bill from the province
/// catalogue (meals by the school day, drinking water, health insurance once a year); the non-public school
/// bills tuition by level.
enum DemoFees {
    static let catalogueFile = "thai-nguyen-2025-2026.json"
    /// School days of the demo months (weekends and the 2 September holiday left out).
    static let schoolDays = [(9, 21), (10, 22)]

    static func installCatalogue(layout: ProjectLayout, pool: PostgresPool) throws {
        let path = layout.feeCatalogues + "/" + catalogueFile
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "cannot read \(path)") }
        let catalogue = try FeeCatalogueParser.parse([UInt8](data))
        try pool.transaction(isolation: .readCommitted) { try FeeCatalogues.install(catalogue, installedBy: "demo", on: $0) }
    }

    static func add(school: School, dueDay: Int, month: CalendarMonth, on connection: PostgresConnection) throws {
        let year = month.schoolYear
        for (number, days) in schoolDays {
            try SchoolCalendar.set(schoolID: school.id, SchoolMonth(period: FeeSchedules.month(number, ofSchoolYear: year), schoolDays: days),
                                   updatedBy: "demo", on: connection)
        }
        for fee in plan(school) {
            let type = try FeeTypes.add(schoolID: school.id, code: fee.code, name: fee.name, kind: fee.kind, on: connection)
            _ = try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                feeTypeID: type.id, schoolYear: year, scope: .school, monthlyAmount: Money(dong: fee.amount), billableMonths: fee.months,
                dueDay: dueDay, rateUnit: fee.rateUnit, stateShareBasisPoints: fee.stateShare, stateShareDong: fee.stateShareDong), on: connection)
        }
    }

    struct PlannedFee {
        var code: String, name: String, kind: FeeKind, amount: Int64
        var months = FeeScheduleInput.septemberToMay
        var rateUnit = RateUnit.month
        var stateShare: Int? = nil
        var stateShareDong: Int64? = nil
    }

    /// Within the catalogue's rural caps for public schools; tuition only at the non-public one.
    static func plan(_ school: School) -> [PlannedFee] {
        var fees = [PlannedFee(code: "NUOC_UONG", name: "Nước uống", kind: .service, amount: 10_000)]
        if school.ownership == .nonPublic {
            let tuition: Int64 = school.level == .preschool ? 1_200_000 : 1_500_000
            // The province's support for non-public pupils as a fixed amount a month (illustrative figure).
            fees.append(PlannedFee(code: "HP", name: "Học phí", kind: .tuition, amount: tuition, stateShareDong: 500_000))
        }
        if [.preschool, .primary, .lowerSecondary].contains(school.level) {
            fees.append(PlannedFee(code: "AN_BANTRU", name: "Tiền ăn bán trú", kind: .service, amount: 20_000, rateUnit: .day))
        }
        if school.level != .preschool {
            // BHYT for the year (4.5 % of the 2,340,000 đ base salary × 12), billed once in October; the state pays 30 %.
            fees.append(PlannedFee(code: "BHYT", name: "Bảo hiểm y tế học sinh", kind: .agreedCollection, amount: 1_263_600, months: [10],
                                   stateShare: 3_000))
        }
        return fees
    }
}
