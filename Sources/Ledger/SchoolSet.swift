import Foundation
import Postgres

/// The schools a set-based query covers: one school, or those of some managing authorities, or the whole province (nil).
///
/// Each query starts `FROM \(SchoolSet.schools)`, the small `schools` table restricted by `predicate`
/// (written `{schools}` in the query), so its plan — generic plans of prepared statements included —
/// starts from the schools and reaches every big table through indexes that lead with `school_id`: a
/// handful of index lookups for one school, a hash or per-school index join for hundreds, never a
/// per-row search through a list of ids. `schools` is the ledger's table: this type and the clauses of
/// `LedgerReads` that take `{schools}` are how other modules' report queries start from it.
public enum SchoolSet: Sendable {
    case school(Int64)
    case authorities([String]?)

    /// The FROM item the predicate restricts: the schools as `sc`.
    public static let schools = "schools sc"

    /// Restricts `schools sc`, with parameter $1.
    var predicate: String {
        switch self {
        case .school: return "sc.school_id = $1"
        case .authorities: return "sc.authority_code = ANY(coalesce($1::text[], ARRAY[sc.authority_code]))"
        }
    }

    var parameter: PostgresParameter {
        switch self {
        case .school(let id): return PostgresParameter(id)
        case .authorities(let codes): return codes.map { PostgresParameter(PostgresTextArray($0)) } ?? PostgresParameter(null: .textArray)
        }
    }

    /// `sql` with `{schools}` replaced by the predicate; `parameters` are $2, $3, ...
    public func query(_ sql: String, _ parameters: PostgresParameter...) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "{schools}", with: predicate), parameters: [parameter] + parameters)
    }
}
