import Core
import Foundation

/// One account of a chart file: what it is for, its code, Vietnamese name and type.
public struct ChartAccount: Hashable, Sendable {
    public var purpose: AccountPurpose
    public var code: String
    public var name: String
    public var type: AccountType
    /// The level-1 account of the regime this detail account sits under (`338`), as the file states it.
    public var parent: String
}

/// A chart of accounts as data (`charts/*.json`, format in docs/accounting.md): the accounts every new school gets.
public struct ChartOfAccounts: Hashable, Sendable {
    public var regime: String
    public var replaces: String
    public var title: String
    /// Whether the file's author checked the codes against the regime's text (docs/accounting.md says which are not).
    public var codesVerified: Bool
    public var note: String
    public var accounts: [ChartAccount]

    /// The type an account of each purpose must have: services post to purposes with these sides in mind,
    /// so a chart that made the receivable an income account would turn every balance upside down.
    public static func requiredType(of purpose: AccountPurpose) -> AccountType {
        switch purpose {
        case .bank, .cash, .receivable, .budgetReceivable, .inTransit: return .asset
        case .collection, .suspense, .familyCredit, .refundsPayable, .advances, .otherPayables: return .liability
        case .feeIncome, .other, .serviceRevenue, .interestIncome: return .income
        case .discounts, .writeOff, .bankFees: return .expense
        }
    }

    /// Purposes a chart must give exactly once. `bank` is absent: one bank account is opened per account the school declares.
    public static var requiredPurposes: [AccountPurpose] { AccountPurpose.allCases.filter { $0 != .bank } }
}

/// One thing wrong in a chart file, at a JSON path.
public typealias ChartProblem = JSONPathProblem

/// A chart file that cannot be used: the file and every problem found in it.
public struct ChartOfAccountsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ChartProblem]

    public init(file: String, problems: [ChartProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        "\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Reads a chart file. Pure: bytes in, chart or every problem out.
public enum ChartOfAccountsParser {
    public static let fileBytesMax = 64 * 1024
    public static let accountsMax = 100
    public static let codeBytesMax = 32
    public static let textCharactersMax = 200
    public static let noteCharactersMax = 2_000
    static let jsonLimits = JSONLimits(bytesMax: fileBytesMax, depthMax: 4, valueCountMax: 2_000, stringBytesMax: 8_000, numberBytesMax: 20)
    static let topKeys: Set<String> = ["regime", "replaces", "title", "codes_verified", "note", "accounts"]
    static let accountKeys: Set<String> = ["purpose", "code", "name", "type", "parent"]

    public static func parse(_ bytes: [UInt8], file: String) throws(ChartOfAccountsError) -> ChartOfAccounts {
        let root: JSONValue
        do { root = try StrictJSONParser.parse(bytes, limits: jsonLimits) } catch {
            throw ChartOfAccountsError(file: file, problems: [ChartProblem(path: "$", problem: error.description)])
        }
        var reader = Reader()
        let chart = reader.chart(root)
        guard let chart, reader.problems.isEmpty else { throw ChartOfAccountsError(file: file, problems: reader.problems) }
        return chart
    }

    /// Walks the document, noting every problem instead of stopping at the first.
    struct Reader: JSONDocumentReading {
        var problems: [ChartProblem] = []

        mutating func chart(_ root: JSONValue) -> ChartOfAccounts? {
            guard case .object(let members) = root else { fail("$", "must be an object, not \(root.kindName)"); return nil }
            unknownKeys(members, allowed: topKeys, at: "$")
            let regime = text(root["regime"], at: "$.regime")
            let replaces = text(root["replaces"], at: "$.replaces")
            let title = text(root["title"], at: "$.title")
            let verified = flag(root["codes_verified"], at: "$.codes_verified")
            let note = root["note"] == nil ? "" : text(root["note"], at: "$.note", charactersMax: noteCharactersMax)
            let accounts = accountList(root["accounts"], at: "$.accounts")
            guard let regime, let replaces, let title, let verified, let note, let accounts else { return nil }
            return ChartOfAccounts(regime: regime, replaces: replaces, title: title, codesVerified: verified, note: note, accounts: accounts)
        }

        mutating func accountList(_ value: JSONValue?, at path: String) -> [ChartAccount]? {
            guard case .array(let elements)? = value else { fail(path, value == nil ? "is required" : "must be an array"); return nil }
            guard (1...accountsMax).contains(elements.count) else { fail(path, "must hold 1 to \(accountsMax) accounts, not \(elements.count)"); return nil }
            var accounts: [ChartAccount] = []
            var codes: [String: Int] = [:]
            var purposes: [AccountPurpose: Int] = [:]
            for (index, element) in elements.enumerated() {
                let elementPath = "\(path)[\(index)]"
                guard let account = account(element, at: elementPath) else { continue }
                if let first = codes[account.code] {
                    fail("\(elementPath).code", "'\(account.code)' is already the code of \(path)[\(first)]")
                } else { codes[account.code] = index }
                if let first = purposes[account.purpose] {
                    fail("\(elementPath).purpose", "'\(account.purpose.rawValue)' is already the purpose of \(path)[\(first)]")
                } else { purposes[account.purpose] = index }
                accounts.append(account)
            }
            let missing = ChartOfAccounts.requiredPurposes.filter { purposes[$0] == nil }
            if !missing.isEmpty, problems.isEmpty {
                fail(path, "has no account for purpose \(missing.map(\.rawValue).joined(separator: ", "))")
            }
            return accounts
        }

        mutating func account(_ value: JSONValue, at path: String) -> ChartAccount? {
            guard case .object(let members) = value else { fail(path, "must be an object, not \(value.kindName)"); return nil }
            unknownKeys(members, allowed: accountKeys, at: path)
            var purpose = choice(value["purpose"], at: "\(path).purpose", AccountPurpose.self)
            if purpose == .bank {
                fail("\(path).purpose", "'bank' accounts are opened one per bank account of the school, not by the chart")
                purpose = nil
            }
            let code = accountCode(value["code"], at: "\(path).code")
            let name = text(value["name"], at: "\(path).name")
            let type = choice(value["type"], at: "\(path).type", AccountType.self)
            let parent = accountCode(value["parent"], at: "\(path).parent")
            if let purpose, let type, type != ChartOfAccounts.requiredType(of: purpose) {
                fail("\(path).type", "'\(type.rawValue)' cannot hold purpose '\(purpose.rawValue)', which must be '\(ChartOfAccounts.requiredType(of: purpose).rawValue)'")
                return nil
            }
            if let code, let parent, !code.hasPrefix(parent) {
                fail("\(path).parent", "'\(parent)' is not a prefix of the code '\(code)'")
                return nil
            }
            guard let purpose, let code, let name, let type, let parent else { return nil }
            return ChartAccount(purpose: purpose, code: code, name: name, type: type, parent: parent)
        }

        /// An account code as the ledger stores it: 1 to 32 ASCII digits, upper-case letters, dots or dashes, starting with a digit.
        mutating func accountCode(_ value: JSONValue?, at path: String) -> String? {
            guard case .string(let code)? = value else { fail(path, value == nil ? "is required" : "must be a string"); return nil }
            let bytes = Array(code.utf8)
            let allowed = bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            guard (1...codeBytesMax).contains(bytes.count), allowed, let first = bytes.first, first >= 48, first <= 57 else {
                fail(path, "'\(code)' must be 1 to \(codeBytesMax) digits, upper-case letters, dots or dashes, starting with a digit")
                return nil
            }
            return code
        }

        mutating func text(_ value: JSONValue?, at path: String, charactersMax: Int = textCharactersMax) -> String? {
            guard case .string(let string)? = value else { fail(path, value == nil ? "is required" : "must be a string"); return nil }
            let hasControl = string.unicodeScalars.contains { $0.isControlCharacter }
            guard !string.isEmpty, string.count <= charactersMax, !hasControl, string == string.trimmingCharacters(in: .whitespaces) else {
                fail(path, "must be 1 to \(charactersMax) characters without control characters or surrounding spaces")
                return nil
            }
            return string
        }

        mutating func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue?, at path: String, _ type: T.Type) -> T? where T.RawValue == String {
            guard case .string(let string)? = value else { fail(path, value == nil ? "is required" : "must be a string"); return nil }
            guard let chosen = T(rawValue: string) else {
                fail(path, "'\(string)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return chosen
        }
    }
}

/// The chart new schools get: `charts/` + `fileName`, found through `ProjectLayout`, read and checked once per process.
public enum DefaultChart {
    public static let fileName = "public-sector-2024.json"

    /// Loaded on first use: a bad file fails every school creation with the file's problems rather than half a chart.
    private static let loaded: Result<ChartOfAccounts, ChartOfAccountsError> = load()

    public static func chart() throws(ChartOfAccountsError) -> ChartOfAccounts { try loaded.get() }

    /// Reads and checks a chart file.
    public static func read(path: String) throws(ChartOfAccountsError) -> ChartOfAccounts {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ChartOfAccountsError(file: path, problems: [ChartProblem(path: "$", problem: "cannot be read")])
        }
        defer { try? handle.close() }
        // One byte over the bound is enough to tell a too-large file without reading all of it.
        let data = (try? handle.read(upToCount: ChartOfAccountsParser.fileBytesMax + 1)) ?? Data()
        guard data.count <= ChartOfAccountsParser.fileBytesMax else {
            throw ChartOfAccountsError(file: path, problems: [ChartProblem(path: "$", problem: "is larger than \(ChartOfAccountsParser.fileBytesMax) bytes")])
        }
        return try ChartOfAccountsParser.parse(Array(data), file: path)
    }

    private static func load() -> Result<ChartOfAccounts, ChartOfAccountsError> {
        let layout: ProjectLayout
        do { layout = try ProjectLayout.locate() } catch {
            return .failure(ChartOfAccountsError(file: "charts/\(fileName)", problems: [ChartProblem(path: "$", problem: error.description)]))
        }
        return Result { () throws(ChartOfAccountsError) in try read(path: layout.charts + "/" + fileName) }
    }
}
