import Foundation

/// A SQL statement whose values travel as `$n` parameters, never inside the SQL text.
///
/// Built by string interpolation: every interpolated value becomes a parameter, so SQL
/// injection is impossible by construction.
///
///     let rows = try connection.query("SELECT name FROM schools WHERE id = \(schoolID)")
///
/// SQL that is not a literal (migrations, generated identifiers) needs the explicit
/// `PostgresQuery(unsafeSQL:)` spelling or `\(unescaped:)`, which reviewers can search for.
public struct PostgresQuery: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var parameters: [PostgresParameter]

    /// PostgreSQL accepts at most 65,535 parameters per statement.
    public static let parameterCountMax = 65_535

    public init(stringLiteral value: String) {
        self.sql = value
        self.parameters = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.parameters = stringInterpolation.parameters
    }

    /// SQL text taken as is. Only for trusted text: migrations, statements assembled from constants.
    public init(unsafeSQL: String, parameters: [PostgresParameter] = []) {
        self.sql = unsafeSQL
        self.parameters = parameters
    }

    /// The SQL only: parameter values are never part of a description.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var parameters: [PostgresParameter]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            parameters = []
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            parameters.append(PostgresParameter(value))
            precondition(parameters.count <= PostgresQuery.parameterCountMax, "too many query parameters")
            sql += "$\(parameters.count)"
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            parameters.append(value.map(PostgresParameter.init) ?? PostgresParameter(null: Value.postgresType))
            precondition(parameters.count <= PostgresQuery.parameterCountMax, "too many query parameters")
            sql += "$\(parameters.count)"
        }

        /// A quoted identifier (table, column, database name): `"name"` with embedded quotes doubled.
        public mutating func appendInterpolation(identifier name: String) {
            sql += "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Trusted SQL text pasted as is: only for constants chosen by the program.
        public mutating func appendInterpolation(unescaped trustedSQL: String) {
            sql += trustedSQL
        }
    }
}

/// One parameter value with its type, written in its wire form (`PostgresEncodable.encodePostgres`)
/// only when the statement is sent, straight into the connection's parameter buffer.
public struct PostgresParameter: Sendable {
    public let type: PostgresType
    /// nil means SQL NULL.
    let value: (any PostgresEncodable)?

    /// The longest value sent, in bytes of its wire form. Far above anything the program sends (a
    /// batch's audit bodies: 64 × 64 KiB in one array) and below PostgreSQL's 1 GiB field limit; it
    /// also keeps every 32-bit length inside a binary array exact. A longer value fails its statement
    /// with an error naming the parameter, before anything of it is sent.
    public static let valueBytesMax = 256 * 1024 * 1024

    public init<Value: PostgresEncodable>(_ value: Value) {
        self.type = Value.postgresType
        self.value = value
    }

    public init(null type: PostgresType) {
        self.type = type
        self.value = nil
    }

    /// The value's text form (nil for NULL), whatever format it travels in: for tests and diagnostics.
    public var text: String? { value?.postgresText }
}
