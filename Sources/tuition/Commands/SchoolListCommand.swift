import Billing
import Core
import Foundation
import Postgres

/// `tuition school import FILE [--dry-run]`: the province's school list, all or nothing.
enum SchoolListCommand {
    static func run(_ reader: inout ArgumentReader, usage: String) throws {
        let path = try reader.requiredPositional("file")
        let dryRun = reader.flag("--dry-run")
        try reader.finish()
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            throw CommandFailure(message: "\(path): cannot read the file")
        }
        guard size <= SchoolListImport.fileBytesMax else {
            throw CommandFailure(message: "\(path): \(size) bytes, more than the \(SchoolListImport.fileBytesMax) allowed")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "\(path): cannot read the file") }
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let pool = PostgresPool(configuration: database.configuration, size: 1)
        defer { pool.close() }
        do {
            let report = try pool.transaction(isolation: .serializable) { connection in
                try SchoolListImport.run(file: Array(data), dryRun: dryRun, on: connection)
            }
            print("school list \(path): \(report.summary)")
        } catch let error as SchoolListImportError {
            throw CommandFailure(message: "\(path): \(error)")
        }
    }
}
