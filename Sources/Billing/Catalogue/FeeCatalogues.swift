import Core
import Postgres

/// The provincial fee catalogues installed in the database: the one owner of `fee_catalogues`,
/// `fee_catalogue_items` and `fee_catalogue_caps`. Every function runs inside the caller's transaction.
public enum FeeCatalogues {
    /// Installs a catalogue, or replaces the items and caps of one installed before under the same resolution.
    /// Refused when another resolution already governs one of its school years: for a school year exactly one
    /// catalogue sets the caps.
    public static func install(_ catalogue: FeeCatalogue, installedBy: String, on connection: PostgresConnection) throws(BillingError) {
        try BillingError.wrapping {
            // Installs are rare; serialising them keeps the overlap check true when two run at once.
            try connection.query("LOCK TABLE fee_catalogues IN SHARE ROW EXCLUSIVE MODE")
            let overlapping = try connection.query("""
                SELECT resolution FROM fee_catalogues
                WHERE resolution <> \(catalogue.resolution)
                  AND first_school_year <= \(catalogue.schoolYears.upperBound) AND last_school_year >= \(catalogue.schoolYears.lowerBound)
                ORDER BY resolution LIMIT 1
                """).first
            if let overlapping {
                let other = try overlapping.decode(column: 0, as: String.self)
                throw BillingError.duplicate("a catalogue for school years \(catalogue.schoolYears.lowerBound)–\(catalogue.schoolYears.upperBound) (resolution \(other))")
            }
            try writeHeader(catalogue, installedBy: installedBy, on: connection)
            try connection.query("DELETE FROM fee_catalogue_items WHERE resolution = \(catalogue.resolution)")
            for item in catalogue.items { try writeItem(item, resolution: catalogue.resolution, on: connection) }
        }
    }

    /// The catalogue governing a school year, or nil when none is installed for it.
    public static func inForce(schoolYear: Int, on connection: PostgresConnection) throws -> FeeCatalogue? {
        guard let header = try connection.query("""
            SELECT resolution, adopted_on, province, title, first_school_year, last_school_year, illustrative, note
            FROM fee_catalogues WHERE first_school_year <= \(schoolYear) AND last_school_year >= \(schoolYear)
            """).first else { return nil }
        let (resolution, adopted, province, title, first, last, illustrative, note) =
            try header.decode((String, CalendarDate, String, String, Int, Int, Bool, String).self)
        return FeeCatalogue(resolution: resolution, adoptedOn: adopted, province: province, title: title, schoolYears: first...last,
                            illustrative: illustrative, note: note, items: try items(resolution: resolution, on: connection))
    }

    static func items(resolution: String, on connection: PostgresConnection) throws -> [FeeCatalogueItem] {
        var caps: [String: [SchoolLevel: [AreaClass: Money]]] = [:]
        for row in try connection.query("""
            SELECT code, level, area_class, cap FROM fee_catalogue_caps WHERE resolution = \(resolution)
            """) {
            let (code, level, area, cap) = try row.decode((String, String, String, Money).self)
            guard let schoolLevel = SchoolLevel(rawValue: level), let areaClass = AreaClass(rawValue: area) else { throw PostgresError(code: .decoding) }
            caps[code, default: [:]][schoolLevel, default: [:]][areaClass] = cap
        }
        return try connection.query("""
            SELECT code, name, kind, unit FROM fee_catalogue_items WHERE resolution = \(resolution) ORDER BY code
            """).map { row in
            let (code, name, kind, unit) = try row.decode((String, String, String, String).self)
            guard let itemKind = CatalogueItemKind(rawValue: kind), let itemUnit = CatalogueUnit(rawValue: unit) else { throw PostgresError(code: .decoding) }
            return FeeCatalogueItem(code: code, name: name, kind: itemKind, unit: itemUnit, caps: caps[code] ?? [:])
        }
    }

    static func writeHeader(_ catalogue: FeeCatalogue, installedBy: String, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO fee_catalogues (resolution, adopted_on, province, title, first_school_year, last_school_year, illustrative, note, installed_by)
            VALUES (\(catalogue.resolution), \(catalogue.adoptedOn), \(catalogue.province), \(catalogue.title),
                    \(catalogue.schoolYears.lowerBound), \(catalogue.schoolYears.upperBound), \(catalogue.illustrative), \(catalogue.note), \(installedBy))
            ON CONFLICT (resolution) DO UPDATE SET adopted_on = EXCLUDED.adopted_on, province = EXCLUDED.province, title = EXCLUDED.title,
                first_school_year = EXCLUDED.first_school_year, last_school_year = EXCLUDED.last_school_year,
                illustrative = EXCLUDED.illustrative, note = EXCLUDED.note, installed_by = EXCLUDED.installed_by, installed_at = now()
            """)
    }

    static func writeItem(_ item: FeeCatalogueItem, resolution: String, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO fee_catalogue_items (resolution, code, name, kind, unit)
            VALUES (\(resolution), \(item.code), \(item.name), \(item.kind.rawValue), \(item.unit.rawValue))
            """)
        var levels: [String] = [], areas: [String] = [], caps: [Int64] = []
        for (level, byArea) in item.caps {
            for (area, cap) in byArea {
                levels.append(level.rawValue)
                areas.append(area.rawValue)
                caps.append(cap.dong)
            }
        }
        try connection.query("""
            INSERT INTO fee_catalogue_caps (resolution, code, level, area_class, cap)
            SELECT \(resolution), \(item.code), level, area, cap
            FROM unnest(\(PostgresTextArray(levels))::text[], \(PostgresTextArray(areas))::text[], \(PostgresInt64Array(caps))::int8[]) AS t(level, area, cap)
            """)
    }
}
