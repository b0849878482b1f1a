import Core
import Foundation

/// A JSON value whose object members keep the order they were written in, so a rendering is a pure function of
/// the report: no dictionary order, no locale, no floating point (numbers are `Int64`).
indirect enum ReportJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([ReportJSON])
    case object([ReportJSONMember])

    /// Nesting deeper than this is a programming error: the reports nest four or five levels.
    static let depthMax = 16
    static let indent = "  "

    static func optional(_ text: String?) -> ReportJSON { text.map(ReportJSON.string) ?? .null }
    static func optional(_ value: Int64?) -> ReportJSON { value.map(ReportJSON.integer) ?? .null }

    /// Pretty-printed: two-space indent, `\n` line ends, `": "` after keys, a final line feed.
    /// Strings are written in Unicode NFC, so two canonically equal strings (which Swift compares equal)
    /// give the same bytes.
    func rendered() -> String {
        var output = ""
        write(to: &output, depth: 0)
        output += "\n"
        return output
    }

    func write(to output: inout String, depth: Int) {
        precondition(depth <= ReportJSON.depthMax, "report JSON nests too deep")
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .string(let text): ReportJSON.writeString(text, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += String(repeating: ReportJSON.indent, count: depth + 1)
                element.write(to: &output, depth: depth + 1)
                output += index + 1 < elements.count ? ",\n" : "\n"
            }
            output += String(repeating: ReportJSON.indent, count: depth) + "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += String(repeating: ReportJSON.indent, count: depth + 1)
                ReportJSON.writeString(member.key, to: &output)
                output += ": "
                member.value.write(to: &output, depth: depth + 1)
                output += index + 1 < members.count ? ",\n" : "\n"
            }
            output += String(repeating: ReportJSON.indent, count: depth) + "}"
        }
    }

    /// Strings in canonical composition (NFC), so the same name is the same bytes in every report.
    static func writeString(_ text: String, to output: inout String) {
        JSONString.append(text.precomposedStringWithCanonicalMapping, to: &output)
    }
}

struct ReportJSONMember: Hashable, Sendable {
    var key: String
    var value: ReportJSON

    init(_ key: String, _ value: ReportJSON) {
        self.key = key
        self.value = value
    }
}

/// Builds an object member by member; a key written twice is a programming error.
struct ReportJSONObject {
    private(set) var members: [ReportJSONMember] = []

    mutating func add(_ key: String, _ value: ReportJSON) {
        precondition(!members.contains { $0.key == key }, "JSON key \(key) written twice")
        members.append(ReportJSONMember(key, value))
    }

    var json: ReportJSON { .object(members) }
}
