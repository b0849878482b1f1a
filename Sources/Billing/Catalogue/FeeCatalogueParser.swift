import Core

/// One thing wrong in a catalogue file, at a JSON path.
public typealias CatalogueProblem = JSONPathProblem

/// A catalogue file that cannot be used: every problem found, so one correction round fixes them all.
public struct FeeCatalogueError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [CatalogueProblem]

    public init(problems: [CatalogueProblem]) {
        self.problems = problems
    }

    public var description: String {
        "\(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Reads a fee catalogue file (`fee-catalogues/*.json`, format in docs/billing.md). Pure: bytes in, catalogue or
/// every problem out.
public enum FeeCatalogueParser {
    public static let fileBytesMax = 1 << 20
    public static let itemsMax = 200
    public static let capDongMax: Int64 = 1_000_000_000
    public static let textCharactersMax = 500
    public static let noteCharactersMax = 2_000
    static let jsonLimits = JSONLimits(bytesMax: fileBytesMax, depthMax: 8, valueCountMax: 20_000, stringBytesMax: 8_000, numberBytesMax: 20)
    static let topKeys: Set<String> = ["resolution", "adopted_on", "province", "title", "school_years", "illustrative", "note", "items"]
    static let itemKeys: Set<String> = ["code", "name", "kind", "unit", "caps", "note"]

    public static func parse(_ bytes: [UInt8]) throws(FeeCatalogueError) -> FeeCatalogue {
        let root: JSONValue
        do { root = try StrictJSONParser.parse(bytes, limits: jsonLimits) } catch {
            throw FeeCatalogueError(problems: [CatalogueProblem(path: "$", problem: error.description)])
        }
        var reader = Reader()
        let catalogue = reader.catalogue(root)
        guard let catalogue, reader.problems.isEmpty else { throw FeeCatalogueError(problems: reader.problems) }
        return catalogue
    }

    /// Walks the document, noting every problem instead of stopping at the first.
    struct Reader: JSONDocumentReading {
        var problems: [CatalogueProblem] = []

        mutating func catalogue(_ root: JSONValue) -> FeeCatalogue? {
            guard case .object(let members) = root else { fail("$", "must be an object, not \(root.kindName)"); return nil }
            unknownKeys(members, allowed: topKeys, at: "$")
            let resolution = text(root["resolution"], at: "$.resolution")
            let adopted = date(root["adopted_on"], at: "$.adopted_on")
            let province = text(root["province"], at: "$.province")
            let title = text(root["title"], at: "$.title")
            let years = schoolYears(root["school_years"], at: "$.school_years")
            let illustrative = flag(root["illustrative"], at: "$.illustrative")
            let note = root["note"] == nil ? "" : text(root["note"], at: "$.note", charactersMax: noteCharactersMax)
            let items = itemList(root["items"], at: "$.items")
            guard let resolution, let adopted, let province, let title, let years, let illustrative, let note, let items else { return nil }
            return FeeCatalogue(resolution: resolution, adoptedOn: adopted, province: province, title: title, schoolYears: years,
                                illustrative: illustrative, note: note, items: items)
        }

        mutating func itemList(_ value: JSONValue?, at path: String) -> [FeeCatalogueItem]? {
            guard case .array(let elements)? = value else { fail(path, value == nil ? "is required" : "must be an array"); return nil }
            guard (1...itemsMax).contains(elements.count) else { fail(path, "must hold 1 to \(itemsMax) items, not \(elements.count)"); return nil }
            var items: [FeeCatalogueItem] = []
            var seen: [String: Int] = [:]
            for (index, element) in elements.enumerated() {
                let itemPath = "\(path)[\(index)]"
                guard let item = item(element, at: itemPath) else { continue }
                if let first = seen[item.code] {
                    fail(itemPath + ".code", "'\(item.code)' is already the code of \(path)[\(first)]")
                } else {
                    seen[item.code] = index
                }
                items.append(item)
            }
            return items.count == elements.count ? items : nil
        }

        mutating func item(_ value: JSONValue, at path: String) -> FeeCatalogueItem? {
            guard case .object(let members) = value else { fail(path, "must be an object, not \(value.kindName)"); return nil }
            unknownKeys(members, allowed: itemKeys, at: path)
            var code = text(value["code"], at: path + ".code")
            if let candidate = code, !FeeTypes.isCode(candidate) {
                fail(path + ".code", "'\(candidate)' must be 1 to \(FeeTypes.codeCharactersMax) upper-case letters, digits, _ or -")
                code = nil
            }
            let name = text(value["name"], at: path + ".name")
            let kind = choice(value["kind"], at: path + ".kind", CatalogueItemKind.self)
            let unit = choice(value["unit"], at: path + ".unit", CatalogueUnit.self)
            let caps = capTable(value["caps"], at: path + ".caps")
            if value["note"] != nil { _ = text(value["note"], at: path + ".note", charactersMax: noteCharactersMax) }
            guard let code, let name, let kind, let unit, let caps else { return nil }
            return FeeCatalogueItem(code: code, name: name, kind: kind, unit: unit, caps: caps)
        }

        mutating func capTable(_ value: JSONValue?, at path: String) -> [SchoolLevel: [AreaClass: Money]]? {
            guard case .object(let levels)? = value else { fail(path, value == nil ? "is required" : "must be an object"); return nil }
            guard !levels.isEmpty else { fail(path, "must give caps for at least one school level"); return nil }
            var table: [SchoolLevel: [AreaClass: Money]] = [:]
            var complete = true
            for member in levels {
                let levelPath = "\(path).\(member.key)"
                guard let level = SchoolLevel(rawValue: member.key) else {
                    fail(levelPath, "unknown school level (\(SchoolLevel.allCases.map(\.rawValue).joined(separator: ", ")))")
                    complete = false
                    continue
                }
                guard let areas = areaCaps(member.value, at: levelPath) else { complete = false; continue }
                table[level] = areas
            }
            return complete ? table : nil
        }

        mutating func areaCaps(_ value: JSONValue, at path: String) -> [AreaClass: Money]? {
            guard case .object(let members) = value else { fail(path, "must be an object of caps by area class"); return nil }
            unknownKeys(members, allowed: Set(AreaClass.allCases.map(\.rawValue)), at: path)
            var caps: [AreaClass: Money] = [:]
            for area in AreaClass.allCases {
                if let cap = amount(value[area.rawValue], at: "\(path).\(area.rawValue)") { caps[area] = cap }
            }
            return caps.count == AreaClass.allCases.count ? caps : nil
        }

        mutating func amount(_ value: JSONValue?, at path: String) -> Money? {
            guard case .number(let token)? = value else { fail(path, value == nil ? "is required" : "must be a whole number of đồng"); return nil }
            guard let dong = Int64(token), (0...capDongMax).contains(dong) else {
                fail(path, "\(token) must be a whole number of đồng from 0 to \(capDongMax)")
                return nil
            }
            return Money(dong: dong)
        }

        mutating func schoolYears(_ value: JSONValue?, at path: String) -> ClosedRange<Int>? {
            guard case .array(let elements)? = value, elements.count == 2,
                  case .number(let first) = elements[0], case .number(let last) = elements[1],
                  let from = Int(first), let through = Int(last) else {
                fail(path, "must be [first, last] school years, e.g. [2025, 2026]")
                return nil
            }
            guard FeeSchedules.schoolYears.contains(from), FeeSchedules.schoolYears.contains(through), from <= through else {
                fail(path, "\(from)–\(through) is not a range of school years within \(FeeSchedules.schoolYears.lowerBound)–\(FeeSchedules.schoolYears.upperBound)")
                return nil
            }
            return from...through
        }

        mutating func text(_ value: JSONValue?, at path: String, charactersMax: Int = textCharactersMax) -> String? {
            guard case .string(let string)? = value else { fail(path, value == nil ? "is required" : "must be a string"); return nil }
            let trimmed = StudentRules.collapse(string)
            guard !trimmed.isEmpty, trimmed.count <= charactersMax, !StudentRules.hasControl(string) else {
                fail(path, "must be 1 to \(charactersMax) characters without control characters")
                return nil
            }
            return trimmed
        }

        mutating func date(_ value: JSONValue?, at path: String) -> CalendarDate? {
            guard let string = text(value, at: path) else { return nil }
            guard let date = try? CalendarDate(iso: string) else { fail(path, "'\(string)' must be a date like 2025-07-15"); return nil }
            return date
        }

        mutating func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue?, at path: String, _ type: T.Type) -> T? where T.RawValue == String {
            guard let string = text(value, at: path) else { return nil }
            guard let chosen = T(rawValue: string) else {
                fail(path, "'\(string)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return chosen
        }
    }
}
