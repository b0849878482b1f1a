import API
import Core
import Crypto
import Foundation
import Ledger
import Postgres
import TestSupport
import Testing

/// Migration 0012 on a database of before July 2025: schools get an authority by the documented rule, and a
/// district office's token keeps working, also after the school list moves its schools to communes.
@Suite struct AuthorityMigrationTests {
    /// A directory holding the repository's migrations numbered below `version` (or all).
    func migrations(below version: Int?) throws -> String {
        let path = NSTemporaryDirectory() + "migrations-0012-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.migrations) where name.hasSuffix(".sql") {
            guard let number = Int(name.prefix(4)), version.map({ number < $0 }) ?? true else { continue }
            try FileManager.default.copyItem(atPath: Repository.migrations + "/" + name, toPath: path + "/" + name)
        }
        return path
    }

    @Test func districtTokensBecomeAuthorityTokensThatStillSeeTheirSchools() throws {
        let database = try TestDatabase.create(migrated: false)
        // Migrations are the owner's to run (the application role may not create tables).
        let connection = try database.connectAsOwner()
        defer { connection.close() }
        let before = try migrations(below: 12)
        defer { try? FileManager.default.removeItem(atPath: before) }
        _ = try Migrator(directory: before).migrate(connection)
        for (code, district, level) in [("TH-A", "Quận Một", "primary"), ("THPT-A", "Quận Một", "upper_secondary"),
                                        ("TH-B", "Quận Hai", "primary")] {
            try connection.query("""
                INSERT INTO schools (code, name, district, level, payment_code_prefix) VALUES (\(code), \("Trường " + code), \(district), \(level), 'HP')
                """)
        }
        let token = "tt_" + Hex.encode(try SecureRandom.bytes(count: 24))
        try connection.query("""
            INSERT INTO api_tokens (token_hash, role, district, label)
            VALUES (\(SHA256Digest.hash(Array(token.utf8))), 'district_office', 'Quận Một', 'phòng GD quận Một')
            """)
        let all = try migrations(below: nil)
        defer { try? FileManager.default.removeItem(atPath: all) }
        #expect(try Migrator(directory: all).migrate(connection).contains("0012_communes_authorities"))

        let schools = Dictionary(uniqueKeysWithValues: try Schools.list(on: connection).map { ($0.code, $0) })
        #expect(schools["THPT-A"]?.authority == .department)
        #expect(schools["TH-A"]?.authority.kind == .formerDistrict && schools["TH-A"]?.authority.name == "Phòng GD&ĐT Quận Một (cũ)")
        #expect(schools["TH-B"]?.authority.kind == .formerDistrict && schools["TH-B"]?.authority != schools["TH-A"]?.authority)
        #expect(schools.values.allSatisfy { $0.commune == nil && $0.officialCode == nil })

        let caller = try #require(try TokenStore.authenticate(token, on: connection))
        #expect(caller.role == .authorityOffice)
        #expect(try visible(caller, connection) == ["TH-A"]) // the department's THPT was never the district office's
        // The province's list puts TH-A in a ward: the old token follows it there.
        let ward = Commune(code: "05500", name: "Phường Phan Đình Phùng")
        try Schools.relocate(schoolID: schools["TH-A"]!.id, officialCode: "19000001", commune: ward,
                             authority: .managing(level: .primary, commune: ward), on: connection)
        let after = try #require(try TokenStore.authenticate(token, on: connection))
        #expect(after.authorities.contains("UBND-05500"))
        #expect(try visible(after, connection) == ["TH-A"])
        let listed = try #require(try TokenStore.list(on: connection).first)
        #expect(listed.role == .authorityOffice && listed.district == "Quận Một" && listed.authority == schools["TH-A"]?.authority.code)
        // The old role cannot be issued any more.
        #expect(throws: PostgresError.self) {
            try connection.query("""
                INSERT INTO api_tokens (token_hash, role, district, label)
                VALUES (\(SHA256Digest.hash(Array("tt_x".utf8))), 'district_office', 'Quận Một', 'x')
                """)
        }
    }

    func visible(_ caller: Caller, _ connection: PostgresConnection) throws -> [String] {
        try Schools.list(on: connection).filter(caller.canSee).map(\.code)
    }
}
