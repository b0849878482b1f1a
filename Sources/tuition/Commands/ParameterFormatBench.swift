import Postgres

/// `tuition bench pg-arrays`: what the parameters' format costs, apart from everything else. One
/// statement with the eight arrays a group-commit batch of `elements` items passes (ids, amounts,
/// nullable ids, references, memos, nullable texts), run with its values in binary, as the client
/// sends them, or in their text form, as it sent them before (the peer, measured in the same run by
/// bench/pg.sh). The statement only counts the unnested rows: the work measured is the parameters'.
struct ParameterFormatBench {
    enum Format: String { case binary, text }

    static let elementsMax = 10_000

    let format: Format
    let query: PostgresQuery

    init(_ reader: inout ArgumentReader) throws {
        let formatText = try reader.option("--format") ?? ""
        guard let format = Format(rawValue: formatText) else { throw CommandFailure(message: "--format must be binary or text") }
        let elements = try reader.option("--elements") { try parseInt($0, 1...ParameterFormatBench.elementsMax) } ?? 4
        self.format = format
        self.query = ParameterFormatBench.query(elements: elements, format: format)
    }

    static func query(elements: Int, format: Format) -> PostgresQuery {
        let ids = (0..<elements).map { Int64(1_000_000 + $0) }
        let amounts = (0..<elements).map { Int64($0 + 1) * 1_500_000 }
        let nullableIDs = (0..<elements).map { $0 % 2 == 0 ? Int64(500_000 + $0) : nil }
        let references = (0..<elements).map { "FT2634\($0)7QK\($0 * 7)" }
        let memos = (0..<elements).map { "HP \($0) Nguyen Van An lop 3A hoc phi thang 9" }
        let codes = (0..<elements).map { "HP00\($0)" }
        let nullableTexts = (0..<elements).map { $0 % 3 == 0 ? nil : "2026-09-\($0 % 28 + 1) 10:15:00+07" }
        let parameters = [
            parameter(PostgresInt64Array(ids), format), parameter(PostgresInt64Array(amounts), format),
            parameter(PostgresNullableInt64Array(nullableIDs), format), parameter(PostgresInt64Array(ids), format),
            parameter(PostgresTextArray(references), format), parameter(PostgresTextArray(memos), format),
            parameter(PostgresTextArray(codes), format), parameter(PostgresNullableTextArray(nullableTexts), format),
        ]
        return PostgresQuery(unsafeSQL: "SELECT count(*) FROM unnest($1, $2, $3, $4, $5, $6, $7, $8)", parameters: parameters)
    }

    static func parameter<Value: PostgresEncodable>(_ value: Value, _ format: Format) -> PostgresParameter {
        format == .binary ? PostgresParameter(value) : PostgresParameter(TextForm(value: value))
    }

    /// A value sent in its text form whatever its type's wire form (the encoding's default).
    struct TextForm<Value: PostgresEncodable>: PostgresEncodable {
        let value: Value
        static var postgresType: PostgresType { Value.postgresType }
        var postgresText: String { value.postgresText }
    }
}
