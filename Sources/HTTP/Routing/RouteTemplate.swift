/// A parsed route template such as `/v1/schools/{school}/invoices/{id}`.
struct RouteTemplate: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let text: String
    let segments: [Segment]

    /// Literal positions as bits, first segment highest: when several templates match, the one whose first
    /// literal comes earliest wins (`/invoices/export` beats `/invoices/{id}`).
    let specificity: UInt64

    /// The template with parameter names erased: two templates with the same shape would be ambiguous.
    var shape: String {
        "/" + segments.map { if case .literal(let text) = $0 { text } else { "{}" } }.joined(separator: "/")
    }

    static let segmentsMax = 32

    /// Parses `text`; a malformed template is a programming error.
    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route template '\(text)' must start with '/'")
        let parts = text == "/" ? [] : text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        precondition(parts.count <= Self.segmentsMax, "route template '\(text)' has too many segments")
        var segments: [Segment] = []
        var names = Set<String>()
        var specificity: UInt64 = 0
        for (index, part) in parts.enumerated() {
            let segment = Self.parseSegment(Substring(part), template: text)
            if case .parameter(let name) = segment {
                precondition(names.insert(name).inserted, "route template '\(text)' repeats parameter '\(name)'")
            } else {
                specificity |= 1 << UInt64(Self.segmentsMax - 1 - index)
            }
            segments.append(segment)
        }
        self.text = text
        self.segments = segments
        self.specificity = specificity
    }

    private static func parseSegment(_ part: Substring, template: String) -> Segment {
        precondition(!part.isEmpty, "route template '\(template)' has an empty segment")
        if part.hasPrefix("{") {
            precondition(part.hasSuffix("}") && part.count > 2, "route template '\(template)': bad parameter '\(part)'")
            let name = part.dropFirst().dropLast()
            let valid = name.utf8.enumerated().allSatisfy { index, byte in
                byte == UInt8(ascii: "_") || (0x61...0x7A).contains(byte | 0x20) || (index > 0 && (0x30...0x39).contains(byte))
            }
            precondition(valid, "route template '\(template)': parameter name '\(name)' is not an identifier")
            return .parameter(String(name))
        }
        let valid = part.utf8.allSatisfy { ByteClass.isPathChar($0) && $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: "/") }
        precondition(valid && part != "." && part != "..", "route template '\(template)': bad literal '\(part)'")
        return .literal(String(part))
    }

    /// The parameters if `path` (decoded segments) matches; parameters match one non-empty segment.
    func match(_ path: [String]) -> PathParameters? {
        guard path.count == segments.count else { return nil }
        var parameters: [(name: String, value: String)] = []
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters.append((name, value))
            }
        }
        return PathParameters(parameters)
    }
}
