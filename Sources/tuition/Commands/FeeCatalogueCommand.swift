import Billing
import Core
import Foundation
import Postgres

/// `tuition fees catalogue check|install FILE`: the provincial fee catalogue files (fee-catalogues/*.json).
enum FeeCatalogueCommand {
    static func run(_ reader: inout ArgumentReader) throws {
        let action = reader.positional()
        let path = try reader.requiredPositional("FILE")
        try reader.finish()
        let catalogue = try read(path)
        switch action {
        case "check":
            print("\(path): resolution \(catalogue.resolution) of \(catalogue.adoptedOn.iso), \(catalogue.province), "
                  + "\(years(catalogue)), \(catalogue.items.count) items"
                  + (catalogue.illustrative ? " (illustrative figures)" : ""))
        case "install":
            let database = try DatabaseAccess.resolve()
            try database.migrate(layout: try ProjectLayout.locate())
            let pool = PostgresPool(configuration: database.configuration, size: 1)
            defer { pool.close() }
            try pool.transaction(isolation: .readCommitted) { connection in
                try FeeCatalogues.install(catalogue, installedBy: BillingSession.actor, on: connection)
            }
            print("catalogue \(catalogue.resolution) installed for \(years(catalogue))")
        default:
            throw UsageError(message: "fees catalogue: check or install", usage: FeesCommand.usage)
        }
    }

    /// `school years 2025–26 to 2026–27`.
    static func years(_ catalogue: FeeCatalogue) -> String {
        func name(_ year: Int) -> String { "\(year)–\(String(year + 1).suffix(2))" }
        return "school years \(name(catalogue.schoolYears.lowerBound)) to \(name(catalogue.schoolYears.upperBound))"
    }

    /// The parsed file; every problem is printed by JSON path.
    static func read(_ path: String) throws -> FeeCatalogue {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int,
              let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path)")
        }
        guard size <= FeeCatalogueParser.fileBytesMax else {
            throw CommandFailure(message: "\(path): \(size) bytes is more than \(FeeCatalogueParser.fileBytesMax)")
        }
        do { return try FeeCatalogueParser.parse([UInt8](data)) } catch {
            throw CommandFailure(message: "\(path): \(error)")
        }
    }
}
