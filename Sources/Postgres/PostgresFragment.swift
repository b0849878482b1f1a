/// A piece of SQL with its values, built by one module and pasted into another's `PostgresQuery`.
///
/// A table's owner hands out the clauses other modules need to read it beside their own rows
/// (`LedgerReads`, `BillingReads`): the owner spells its tables, the caller its own, and the values
/// still travel as `$n` parameters, numbered where the fragment lands in the caller's query.
///
///     let balances: PostgresFragment = "SELECT ... FROM postings WHERE school_id = \(schoolID)"
///     try connection.query("SELECT ... FROM (\(balances)) s JOIN bank_transactions t ON ...")
public struct PostgresFragment: ExpressibleByStringInterpolation, Sendable {
    enum Piece: Sendable {
        case sql(String)
        case value(PostgresParameter)
    }

    var pieces: [Piece]

    public init(stringLiteral value: String) {
        pieces = [.sql(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            pieces.append(.sql(literal))
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            pieces.append(.value(PostgresParameter(value)))
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            pieces.append(.value(value.map(PostgresParameter.init) ?? PostgresParameter(null: Value.postgresType)))
        }

        /// Trusted SQL text pasted as is: only for constants chosen by the program.
        public mutating func appendInterpolation(unescaped trustedSQL: String) {
            pieces.append(.sql(trustedSQL))
        }

        /// Another fragment, values included.
        public mutating func appendInterpolation(_ fragment: PostgresFragment) {
            pieces.append(contentsOf: fragment.pieces)
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// A fragment's SQL, its values numbered as parameters of this query in order.
    public mutating func appendInterpolation(_ fragment: PostgresFragment) {
        for piece in fragment.pieces {
            switch piece {
            case .sql(let text): appendInterpolation(unescaped: text)
            case .value(let parameter):
                parameters.append(parameter)
                precondition(parameters.count <= PostgresQuery.parameterCountMax, "too many query parameters")
                sql += "$\(parameters.count)"
            }
        }
    }
}
