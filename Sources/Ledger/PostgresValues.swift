import Core
import Postgres

/// Money travels as `bigint` đồng (binary, as `Int64` sends it).
extension Money: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String { String(dong) }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        dong.encodePostgres(into: &writer)
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Money {
        let dong = try Int64.decode(postgresText: bytes, type: type)
        guard dong.magnitude <= UInt64(Money.absoluteDongMax) else { throw .outOfRange }
        return Money(dong: dong)
    }
}

/// Calendar days travel as `date` (`YYYY-MM-DD`).
extension CalendarDate: PostgresCodable {
    public static var postgresType: PostgresType { .date }
    public var postgresText: String { iso }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> CalendarDate {
        guard let bytes else { throw .unexpectedNull }
        guard type == .date || type == .text else { throw .typeMismatch(type) }
        do { return try CalendarDate(iso: String(decoding: bytes, as: UTF8.self)) } catch { throw .malformed }
    }
}

/// Months travel as the `date` of their first day.
extension CalendarMonth: PostgresCodable {
    public static var postgresType: PostgresType { .date }
    public var postgresText: String { firstDay.iso }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> CalendarMonth {
        let date = try CalendarDate.decode(postgresText: bytes, type: type)
        guard date.day == 1 else { throw .malformed }
        return date.calendarMonth
    }
}
