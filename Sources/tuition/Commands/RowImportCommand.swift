import Billing
import Foundation
import Postgres

/// `tuition attendance import FILE --school CODE` and `tuition fees enrolments FILE --school CODE`: a CSV file of
/// rows read whole (at most `AttendanceImport.fileBytesMax`), imported all or nothing in one transaction, a
/// refused file reported by line and field.
enum RowImportCommand {
    /// Reads the arguments and the file, runs `importRows` in one transaction and prints `"<noun> import: N <rows>
    /// recorded"`.
    static func run(_ reader: inout ArgumentReader, noun: String, rows: String,
                    importRows: (_ schoolID: Int64, _ file: [UInt8], _ connection: PostgresConnection) throws -> Int) throws {
        let path = try reader.requiredPositional("FILE")
        let schoolCode = try reader.requiredOption("--school")
        try reader.finish()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int,
              size <= AttendanceImport.fileBytesMax, let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path), or it is larger than \(AttendanceImport.fileBytesMax) bytes")
        }
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        do {
            let count = try session.transaction { connection in
                try importRows(session.school.id, [UInt8](data), connection)
            }
            print("\(noun) import: \(count) \(rows) recorded")
        } catch let error as RowImportError {
            throw CommandFailure(message: "\(path): \(error)")
        }
    }
}
