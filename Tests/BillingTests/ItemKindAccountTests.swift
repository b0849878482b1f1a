import Billing
import Core
import Foundation
import Ledger
import Postgres
import SchoolFixtures
import Testing
import TestSupport

/// Each item kind credits its own account: services the school's service revenue, pass-through items the collections
/// payable, tuition the tuition revenue; and migration 0017 opens the new accounts for schools that existed before it.
@Suite struct ItemKindAccountTests {
    static func publicPrimary() throws -> BillingFixture {
        let fixture = try BillingFixture(level: .primary, ownership: .public, areaClass: .rural)
        try fixture.transaction { try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: $0) }
        return fixture
    }

    static func credited(_ fixture: BillingFixture, accountID: Int64) throws -> Int64 {
        try fixture.transaction { connection in
            try connection.query("SELECT coalesce(-sum(amount), 0)::int8 FROM postings WHERE school_id = \(fixture.school.id) AND account_id = \(accountID)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
    }

    @Test func aServiceCreditsServiceRevenueAndAPassThroughItemTheCollections() throws {
        let fixture = try Self.publicPrimary()
        let (water, bhyt) = try fixture.transaction { connection in
            (try FeeTypes.add(schoolID: fixture.school.id, code: "NUOC_UONG", name: "Nước uống", kind: .service, on: connection),
             try FeeTypes.add(schoolID: fixture.school.id, code: "BHYT", name: "Bảo hiểm y tế", kind: .agreedCollection, on: connection))
        }
        let accounts = try fixture.pool.withConnection { try LedgerQueries.accounts(schoolID: fixture.school.id, on: $0) }
        let waterAccount = try #require(accounts.first { $0.accountID == water.accountID })
        #expect(waterAccount.code == "5311.NUOC_UONG" && waterAccount.purpose == .serviceRevenue && waterAccount.type == .income)
        #expect(waterAccount.name == "Thu dịch vụ - Nước uống")
        let bhytAccount = try #require(accounts.first { $0.accountID == bhyt.accountID })
        #expect(bhytAccount.code == "3381.BHYT" && bhytAccount.purpose == .collection && bhytAccount.type == .liability)

        try fixture.transaction { connection in
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: water.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 10_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10), on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: bhyt.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 884_520), billableMonths: [9], dueDay: 10),
                on: connection)
        }
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        _ = try fixture.addStudent("HS02", grade: 3, className: "3A")
        _ = try fixture.issue(BillingFixture.september)
        #expect(try Self.credited(fixture, accountID: water.accountID) == 20_000)
        #expect(try Self.credited(fixture, accountID: bhyt.accountID) == 2 * 884_520)
        #expect(try fixture.verify().isClean)
    }

    @Test func theCatalogueDecidesWhichKindsAnItemMayHave() throws {
        let fixture = try Self.publicPrimary()
        #expect(CatalogueItemKind.service.feeKind == .service && CatalogueItemKind.passThrough.feeKind == .agreedCollection)
        try fixture.transaction { connection in
            // BHYT is a pass-through item: scheduling it as the school's service revenue is refused.
            let asService = try FeeTypes.add(schoolID: fixture.school.id, code: "BHYT", name: "Bảo hiểm y tế", kind: .service, on: connection)
            let refusal = #expect(throws: BillingError.self) {
                try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                    feeTypeID: asService.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 884_520), billableMonths: [9], dueDay: 10),
                    on: connection)
            }
            #expect(refusal?.description.contains("pass_through") == true, "\(String(describing: refusal))")
            // A service item scheduled by a fee type made before service revenue had its account still works.
            let legacy = try FeeTypes.add(schoolID: fixture.school.id, code: "NUOC_UONG", name: "Nước uống", kind: .agreedCollection, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: legacy.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 10_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10), on: connection)
        }
    }

    /// A database migrated through 0016, as schools ran before migration 0017.
    static func databaseBefore0017() throws -> (TestDatabase, PostgresConnection) {
        let database = try TestDatabase.create(migrated: false)
        let owner = try database.connectAsOwner()
        let earlier = NSTemporaryDirectory() + "migrations-before-0017-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: earlier, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: earlier) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.migrations) where name.hasSuffix(".sql") && name < "0017" {
            try FileManager.default.copyItem(atPath: Repository.migrations + "/" + name, toPath: earlier + "/" + name)
        }
        try Migrator(directory: earlier).migrate(owner)
        return (database, owner)
    }

    @Test func theMigrationOpensTheNewAccountsForExistingSchoolsWithoutTouchingTheirCodes() throws {
        let (database, owner) = try Self.databaseBefore0017()
        defer { owner.close() }
        _ = database
        // A school as it was before migration 0017, which had used the code 3383 for an account of its own.
        let school = try owner.query("""
            INSERT INTO schools (code, name, district, level, payment_code_prefix, authority_code)
            VALUES ('TRUONG-CU', 'Trường cũ', 'Quận 1', 'primary', 'HP', 'SGDDT') RETURNING school_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
        _ = try owner.query("""
            INSERT INTO accounts (school_id, code, name, type, purpose) VALUES
                (\(school), '3381', 'Các khoản thu hộ', 'liability', 'collection'),
                (\(school), '3383', 'Quỹ lớp', 'income', 'other')
            """)
        func accounts() throws -> [String: (code: String, type: String)] {
            var found: [String: (code: String, type: String)] = [:]
            for row in try owner.query("SELECT purpose, code, type FROM accounts WHERE school_id = \(school) ORDER BY account_id") {
                let (purpose, code, type) = try row.decode((String, String, String).self)
                found[purpose + (found[purpose] == nil ? "" : "+")] = (code, type)
            }
            return found
        }
        // Later migrations may follow; 0017 must be the first one applied to this database.
        #expect(try Migrator(directory: Repository.migrations).migrate(owner).first == "0017_accounts_support_leaving")
        let after = try accounts()
        #expect(after["collection"]?.code == "3381" && after["other"]?.code == "3383", "the school's own codes stay")
        #expect(after["advances"]?.code == "3383.1" && after["advances"]?.type == "liability")
        #expect(after["service_revenue"]?.code == "5311" && after["service_revenue"]?.type == "income")
        #expect(after["in_transit"]?.code == "1131" && after["in_transit"]?.type == "asset")
        #expect(after["interest_income"]?.code == "5151" && after["other_payables"]?.code == "3388.KHAC")
        #expect(after.count == 7, "\(after.keys.sorted())")
    }
}
