import Core
import Foundation
import Postgres

/// Deletes old audit rows of callback deliveries that recorded no money (refused, malformed,
/// unknown account, not money in). Accepted and duplicate deliveries are the evidence of money
/// received and are never pruned; the table's trigger (migrations/0010) refuses that whoever asks.
public enum CallbackAuditPruning {
    /// The youngest rows that may go: a dispute about a refused delivery is raised within weeks.
    public static let retentionDaysMin = 30
    /// Rows deleted per statement, so a large prune never holds a long transaction.
    public static let rowsPerStatement = 10_000

    public struct RetentionError: Error, CustomStringConvertible {
        public let before: CalendarDate
        public let earliestAllowed: CalendarDate
        public var description: String {
            "--before \(before) would delete deliveries younger than \(CallbackAuditPruning.retentionDaysMin) days; "
                + "the latest date allowed today is \(earliestAllowed)"
        }
    }

    /// Deletes the rows received before the start of `before` (Vietnam time); returns how many.
    public static func prune(before: CalendarDate, today: CalendarDate, pool: PostgresPool) throws -> Int64 {
        let latest = today.adding(days: -retentionDaysMin)
        guard before <= latest else { throw RetentionError(before: before, earliestAllowed: latest) }
        let cutoff = VietnamTime.instant(before)
        var total: Int64 = 0
        while true {
            let deleted = try pool.withConnection { connection in
                try connection.query("""
                    WITH doomed AS (
                        SELECT delivery_id FROM callback_deliveries
                        WHERE verdict NOT IN ('accepted', 'duplicate') AND received_at < \(cutoff)
                        ORDER BY received_at LIMIT \(Int64(rowsPerStatement))
                    ), gone AS (
                        DELETE FROM callback_deliveries d USING doomed WHERE d.delivery_id = doomed.delivery_id RETURNING 1
                    )
                    SELECT count(*) FROM gone
                    """).singleRow()!.decode(column: 0, as: Int64.self)
            }
            total += deleted
            if deleted < rowsPerStatement { return total }
        }
    }
}
