import Core
import Postgres

/// The managing authorities schools report to (migration 0012): the department, commune and ward people's
/// committees, and the transitional authorities of former districts. The owner of the `authorities` table.
public enum Authorities {
    /// Records `authority` (a commune committee's name follows the commune's latest name); returns it.
    @discardableResult
    public static func ensure(_ authority: Authority, commune: Commune?, on connection: PostgresConnection) throws -> Authority {
        let communeCode = authority.kind == .commune ? commune?.code : nil
        try connection.query("""
            INSERT INTO authorities (authority_code, kind, name, commune_code)
            VALUES (\(authority.code), \(authority.kind.rawValue), \(authority.name), \(communeCode))
            ON CONFLICT (authority_code) DO UPDATE SET name = EXCLUDED.name
            """)
        return authority
    }

    /// The transitional authority of a former district, created on first use. Its code is the one
    /// migration 0012 gives the district's schools: 'HUYEN-' and 10 hex digits of the name's MD5.
    public static func formerDistrict(_ district: String, on connection: PostgresConnection) throws -> Authority {
        let row = try connection.query("""
            WITH wanted AS (SELECT 'HUYEN-' || upper(substr(md5(\(district)::text), 1, 10)) AS code,
                                   left('Phòng GD&ĐT ' || \(district)::text || ' (cũ)', 200) AS name)
            INSERT INTO authorities (authority_code, kind, name) SELECT code, 'former_district', name FROM wanted
            ON CONFLICT (authority_code) DO UPDATE SET kind = authorities.kind
            RETURNING authority_code, name
            """).singleRow()!
        let (code, name) = try row.decode((String, String).self)
        return Authority(code: code, kind: .formerDistrict, name: name)
    }

    public static func find(code: String, on connection: PostgresConnection) throws -> Authority? {
        try connection.query("SELECT authority_code, kind, name FROM authorities WHERE authority_code = \(code)").first.map(decode)
    }

    /// Every authority, by code.
    public static func list(on connection: PostgresConnection) throws -> [Authority] {
        try connection.query("SELECT authority_code, kind, name FROM authorities ORDER BY authority_code").map(decode)
    }

    /// The authorities a token of `authority` reads: that one and, for a former district's token, the
    /// authorities of commune level its district's schools have moved to since (docs/authorities.md).
    public static func readable(by authority: String, district: String?, on connection: PostgresConnection) throws -> [String] {
        guard let district else { return [authority] }
        let moved = try connection.query("""
            SELECT DISTINCT s.authority_code FROM schools s JOIN authorities a ON a.authority_code = s.authority_code
            WHERE s.district = \(district) AND a.kind = 'commune' ORDER BY 1
            """).map { try $0.decode(column: 0, as: String.self) }
        return [authority] + moved.filter { $0 != authority }
    }

    static func decode(_ row: PostgresRow) throws -> Authority {
        let (code, kind, name) = try row.decode((String, String, String).self)
        guard let authorityKind = AuthorityKind(rawValue: kind) else { throw PostgresError(code: .decoding) }
        return Authority(code: code, kind: authorityKind, name: name)
    }
}
