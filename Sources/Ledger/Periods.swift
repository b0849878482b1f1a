import Core
import Postgres

/// Closing and reopening months. Closing month M forbids entries dated on or before its last
/// day; reopening M (finance office only) allows them again for M and every later month.
/// Both take the school's advisory lock exclusively, so no entry slips in while they run, and
/// both are recorded with who and when. The database owns the change itself: `closed_through` and
/// `period_events` are written only by `ledger_change_period()` (migrations/0010), a function
/// running as the schema's owner, so the application role cannot move a period without its record.
public enum Periods {
    /// The advisory lock class shared with the entry trigger in migrations/0001_ledger.sql.
    static let lockClass = AdvisoryLockClass.period.rawValue

    public static func close(schoolID: Int64, month: CalendarMonth, actor: Actor, on connection: PostgresConnection) throws {
        guard actor.role == .accountant || actor.role == .financeOffice || actor.role == .admin else {
            throw LedgerError.notPermitted("role \(actor.role.rawValue) may not close periods")
        }
        let current = try lockAndRead(schoolID: schoolID, on: connection)
        if let current, month.lastDay <= current {
            throw LedgerError.periodNotClosable("\(month) is already closed (closed through \(current))")
        }
        try change(schoolID: schoolID, month: month, action: "close", actor: actor, on: connection)
    }

    public static func reopen(schoolID: Int64, month: CalendarMonth, actor: Actor, on connection: PostgresConnection) throws {
        guard actor.role == .financeOffice else {
            throw LedgerError.notPermitted("only the finance office may reopen a closed period")
        }
        guard let current = try lockAndRead(schoolID: schoolID, on: connection), month.firstDay <= current else {
            throw LedgerError.periodNotClosable("\(month) is not closed")
        }
        try change(schoolID: schoolID, month: month, action: "reopen", actor: actor, on: connection)
    }

    /// Takes the school's period lock until the transaction ends: the lock closing and reopening take, and
    /// the entry trigger shares, so no entry can enter a month while a caller checks it before closing.
    public static func lock(schoolID: Int64, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(\(lockClass), \(AdvisoryLockClass.key(schoolID)))")
    }

    /// The last day of the school's closed months (nil while none is closed), as the transaction sees it.
    public static func closedThrough(schoolID: Int64, on connection: PostgresConnection) throws -> CalendarDate? {
        guard let row = try connection.query("SELECT closed_through FROM schools WHERE school_id = \(schoolID)").singleRow() else {
            throw LedgerError.unknownSchool(schoolID)
        }
        return try row.decode(column: 0, as: CalendarDate?.self)
    }

    private static func lockAndRead(schoolID: Int64, on connection: PostgresConnection) throws -> CalendarDate? {
        try lock(schoolID: schoolID, on: connection)
        guard let row = try connection.query("SELECT closed_through FROM schools WHERE school_id = \(schoolID) FOR UPDATE").singleRow() else {
            throw LedgerError.unknownSchool(schoolID)
        }
        return try row.decode(column: 0, as: CalendarDate?.self)
    }

    private static func change(schoolID: Int64, month: CalendarMonth, action: String, actor: Actor, on connection: PostgresConnection) throws {
        try connection.query("""
            SELECT ledger_change_period(\(schoolID), \(month), \(action), \(actor.name), \(actor.role.rawValue))
            """)
    }
}
