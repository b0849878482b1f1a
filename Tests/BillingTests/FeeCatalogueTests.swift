import Billing
import Core
import Foundation
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// The shipped catalogue file of this checkout, found from this file's path.
enum CatalogueFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fee-catalogues")

    static func thaiNguyen() throws -> FeeCatalogue {
        let data = try Data(contentsOf: directory.appendingPathComponent("thai-nguyen-2025-2026.json"))
        return try FeeCatalogueParser.parse([UInt8](data))
    }

    /// A one-item catalogue for school years 2025–2026, valid unless the test edits it.
    static func minimal(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> [UInt8] {
        var document: [String: Any] = [
            "resolution": "01/2025/NQ-HĐND", "adopted_on": "2025-08-01", "province": "Thái Nguyên", "title": "Danh mục",
            "school_years": [2025, 2026], "illustrative": true,
            "items": [["code": "NUOC_UONG", "name": "Nước uống", "kind": "service", "unit": "month",
                       "caps": ["primary": ["urban": 15000, "rural": 12000, "mountainous": 10000]]]],
        ]
        edit(&document)
        return [UInt8](try JSONSerialization.data(withJSONObject: document))
    }
}

@Suite struct FeeCatalogueParserTests {
    @Test func theShippedThaiNguyenCatalogueParsesAndSaysItIsIllustrative() throws {
        let catalogue = try CatalogueFiles.thaiNguyen()
        #expect(catalogue.illustrative && catalogue.note.contains("ILLUSTRATIVE"))
        #expect(catalogue.schoolYears == 2025...2026)
        let meals = try #require(catalogue.item("AN_BANTRU"))
        #expect(meals.unit == .day && meals.kind == .service)
        // Caps fall from urban wards to mountainous areas.
        let primary = try #require(meals.caps[.primary])
        #expect(primary[.urban]! > primary[.rural]! && primary[.rural]! > primary[.mountainous]!)
        #expect(catalogue.items.contains { $0.kind == .voluntary } && catalogue.items.contains { $0.kind == .passThrough })
    }

    @Test func everyProblemIsListedByJSONPath() throws {
        let bytes = try CatalogueFiles.minimal { document in
            document["school_years"] = [2026, 2025]
            document["colour"] = "red"
            document["items"] = [
                ["code": "nuoc", "name": "Nước", "kind": "service", "unit": "week",
                 "caps": ["primary": ["urban": 15000, "rural": -1]]],
                ["code": "VE_SINH", "name": "Vệ sinh", "kind": "gift", "unit": "month", "caps": ["college": ["urban": 1]]],
                ["code": "VE_SINH", "name": "Vệ sinh", "kind": "service", "unit": "month",
                 "caps": ["primary": ["urban": 1.5, "rural": 1, "mountainous": 1]]],
            ]
        }
        do {
            _ = try FeeCatalogueParser.parse(bytes)
            Issue.record("a broken catalogue was accepted")
        } catch {
            let paths = Set(error.problems.map(\.path))
            #expect(paths.isSuperset(of: [
                "$.school_years", "$.colour", "$.items[0].code", "$.items[0].unit", "$.items[0].caps.primary.rural",
                "$.items[0].caps.primary.mountainous", "$.items[1].kind", "$.items[1].caps.college",
                "$.items[2].caps.primary.urban",
            ]), "\(error)")
            #expect(error.description.contains("unknown school level"))
        }
    }

    @Test func aDuplicateCodeNamesTheFirstItem() throws {
        let item: [String: Any] = ["code": "A", "name": "A", "kind": "service", "unit": "month",
                                   "caps": ["primary": ["urban": 1, "rural": 1, "mountainous": 1]]]
        let bytes = try CatalogueFiles.minimal { $0["items"] = [item, item] }
        #expect(throws: FeeCatalogueError(problems: [CatalogueProblem(path: "$.items[1].code", problem: "'A' is already the code of $.items[0]")])) {
            try FeeCatalogueParser.parse(bytes)
        }
    }

    @Test func malformedJSONIsOneProblemAtTheRoot() {
        #expect(throws: FeeCatalogueError.self) { try FeeCatalogueParser.parse(Array("{\"items\": [".utf8)) }
    }

    @Test func capsCompareWhatEachUnitCovers() throws {
        let cap = Money(dong: 100_000)
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 100_000), months: 9, unit: .month, cap: cap) == nil)
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 100_001), months: 9, unit: .month, cap: cap)?.allowed == cap)
        // A year item billed over 9 months: 9 × 11,200 = 100,800 is above one year's cap.
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 11_200), months: 9, unit: .year, cap: cap)?.charged == Money(dong: 100_800))
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 100_000), months: 1, unit: .once, cap: cap) == nil)
        // Two terms' caps over the year; a day cap times the most school days in a month.
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 40_000), months: 5, unit: .term, cap: cap) == nil)
        #expect(try CatalogueCapRule.excess(monthlyAmount: Money(dong: 2_300_001), months: 9, unit: .day, cap: cap)?.allowed == Money(dong: 2_300_000))
    }
}

@Suite struct FeeCatalogueScheduleTests {
    static func publicSchool(area: AreaClass = .rural) throws -> BillingFixture {
        let fixture = try BillingFixture(level: .primary, ownership: .public, areaClass: area)
        try fixture.transaction { try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: $0) }
        return fixture
    }

    @Test func anAmountAboveTheCapIsRefusedNamingItemCapAndResolution() throws {
        let fixture = try Self.publicSchool(area: .mountainous)
        do {
            try fixture.addFee("NUOC_UONG", kind: .agreedCollection, amount: 10_001)
            Issue.record("above the cap was accepted")
        } catch let error as BillingError {
            #expect(error.code == "above_catalogue_cap")
            #expect(error.description.contains("Nước uống") && error.description.contains("10.000")
                    && error.description.contains("MINH-HOA/2025/NQ-HĐND"), "\(error)")
        }
        // At the cap it passes, recorded with the resolution it was checked against.
        try fixture.addFee("NUOC_UONG", kind: .agreedCollection, amount: 10_000)
        let schedules = try fixture.transaction { try FeeSchedules.list(schoolID: fixture.school.id, schoolYear: 2026, on: $0) }
        #expect(schedules.map(\.catalogueResolution) == ["MINH-HOA/2025/NQ-HĐND"])
        // An urban school's higher cap does not apply to a mountainous one; nothing was written by the refusal.
        #expect(schedules.map(\.monthlyAmount) == [Money(dong: 10_000)])
    }

    @Test func aFeeOutsideTheCatalogueNeedsARecordedReason() throws {
        let fixture = try Self.publicSchool()
        #expect(throws: BillingError.self) { try fixture.addFee("QUY_LOP", kind: .agreedCollection, amount: 20_000) }
        let reason = "Quỹ lớp do ban đại diện cha mẹ học sinh đề nghị"
        let schedule = try fixture.transaction { connection -> FeeSchedule in
            let fee = try FeeTypes.find(schoolID: fixture.school.id, code: "QUY_LOP", on: connection)
                ?? FeeTypes.add(schoolID: fixture.school.id, code: "QUY_LOP", name: "Quỹ lớp", kind: .agreedCollection, on: connection)
            return try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 20_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, outsideCatalogueReason: reason), on: connection)
        }
        #expect(schedule.outsideCatalogueReason == reason && schedule.catalogueNote == "OUTSIDE CATALOGUE: \(reason)")
        let listed = try fixture.transaction { try FeeSchedules.list(schoolID: fixture.school.id, schoolYear: 2026, on: $0) }
        #expect(listed.first?.outsideCatalogueReason == reason)
    }

    @Test func aReasonCannotLiftTheCapOfAListedItem() throws {
        let fixture = try Self.publicSchool()
        let refusal = #expect(throws: BillingError.self) {
            try fixture.transaction { connection in
                let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "NUOC_UONG", name: "Nước uống", kind: .agreedCollection, on: connection)
                try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                    feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 50_000),
                    billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, outsideCatalogueReason: "xin thu thêm"), on: connection)
            }
        }
        #expect(refusal?.code == "invalid_field")
    }

    @Test func publicSchoolsBillNoTuitionFrom2025ButNonPublicOnesDo() throws {
        let fixture = try Self.publicSchool()
        do {
            try fixture.addFee("HP", kind: .tuition, amount: 300_000)
            Issue.record("public tuition for 2026 was accepted")
        } catch let error as BillingError {
            #expect(error.code == "tuition_free_at_public_school")
            #expect(error.description.contains("Resolution 217/2025/QH15") && error.description.contains("Decree 238/2025/NĐ-CP"))
        }
        // The refusal changed nothing (not even the fee type); 2024–25 was still a tuition year.
        try fixture.transaction { connection in
            #expect(try FeeTypes.find(schoolID: fixture.school.id, code: "HP", on: connection) == nil)
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2024, scope: .school, monthlyAmount: Money(dong: 300_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10), on: connection)
        }
        let private_ = try BillingFixture(level: .primary, ownership: .nonPublic)
        try private_.addFee("HP", kind: .tuition, amount: 1_500_000)
    }

    @Test func aPublicTuitionScheduleRecordedBeforeTheCheckIsNotIssued() throws {
        let fixture = try Self.publicSchool()
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        try fixture.transaction { connection in
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            // As an older version of the program could have written it.
            try connection.query("""
                INSERT INTO fee_schedules (school_id, fee_type_id, school_year, scope, scope_value, monthly_amount, billable_months, due_day)
                VALUES (\(fixture.school.id), \(fee.id), 2026, 'school', '', 300000, '{9,10}', 10)
                """)
        }
        let refusal = #expect(throws: BillingError.self) { try fixture.issue(BillingFixture.september) }
        #expect(refusal?.code == "tuition_free_at_public_school")
        #expect(try fixture.invoices().isEmpty)
    }

    @Test func anOverlappingResolutionIsRefused() throws {
        let fixture = try Self.publicSchool()
        var other = try CatalogueFiles.thaiNguyen()
        other.resolution = "02/2026/NQ-HĐND"
        other.schoolYears = 2026...2027
        #expect(throws: BillingError.self) { try fixture.transaction { try FeeCatalogues.install(other, installedBy: "test", on: $0) } }
        // Installing the same resolution again replaces it.
        try fixture.transaction { try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: $0) }
        let installed = try fixture.transaction { try FeeCatalogues.inForce(schoolYear: 2026, on: $0) }
        var expected = try CatalogueFiles.thaiNguyen()
        expected.items.sort { $0.code < $1.code }
        #expect(installed == expected)
    }
}
