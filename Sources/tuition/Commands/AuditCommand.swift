import Core
import Foundation
import Payments
import Postgres

enum AuditCommand {
    static let usage = """
        Usage: tuition audit prune --before YYYY-MM-DD

        Deletes the audit rows of callback deliveries received before DATE (Vietnam time) that
        recorded no money: refused signatures, malformed bodies, unknown accounts, money out.
        Accepted and duplicate deliveries are kept for good. DATE must be at least 30 days ago.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard reader.positional() == "prune" else { throw UsageError(message: "missing or unknown action", usage: usage) }
        let before = try reader.requiredOption("--before")
        try reader.finish()
        let date: CalendarDate
        do {
            date = try CalendarDate(iso: before)
        } catch {
            throw UsageError(message: "--before: '\(before)' is not a date (YYYY-MM-DD)", usage: usage)
        }
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let pool = PostgresPool(configuration: database.configuration, size: 1, checkoutTimeoutSeconds: 10)
        defer { pool.close() }
        do {
            let deleted = try CallbackAuditPruning.prune(before: date, today: VietnamTime.today, pool: pool)
            print("audit prune: \(deleted) callback deliveries received before \(date) deleted")
        } catch let error as CallbackAuditPruning.RetentionError {
            throw CommandFailure(message: error.description)
        }
    }
}
