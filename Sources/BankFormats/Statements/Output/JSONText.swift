import Core

/// Minimal JSON text building for the statement outputs: fixed key order, exact strings.
enum JSONText {
    /// A JSON string literal (`Core.JSONString`).
    static func quoted(_ value: String) -> String { JSONString.quoted(value) }

    static func quotedOrNull(_ value: String?) -> String { value.map(quoted) ?? "null" }

    /// `{"k":v,...}` from pairs whose values are already JSON.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
