import Core
import Foundation

/// A broken collection description: the file and key named, so the operator can fix it.
public struct CollectionCatalogError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let problem: String
    public var description: String { "\(file): \(problem)" }
}

/// The collection providers of `bank-formats/collections/*.json`, loaded and checked once at startup.
public struct CollectionCatalog: Sendable {
    public let descriptions: [String: CollectionProviderDescription]
    public static let descriptionBytesMax = 64 * 1024

    public init(descriptions: [CollectionProviderDescription]) {
        self.descriptions = Dictionary(uniqueKeysWithValues: descriptions.map { ($0.provider, $0) })
    }

    public func description(for provider: String) -> CollectionProviderDescription? { descriptions[provider] }
    public var providers: [String] { descriptions.keys.sorted() }

    /// Every operation path any provider serves (the routes registered under `/v1/collect/{provider}/`).
    public var paths: [String] { Array(Set(descriptions.values.flatMap { $0.paths.values })).sorted() }

    public static func load(directory: URL) throws -> CollectionCatalog {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return CollectionCatalog(descriptions: try files.map { name in
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            guard data.count <= descriptionBytesMax else { throw CollectionCatalogError(file: name, problem: "larger than \(descriptionBytesMax) bytes") }
            let description = try CollectionDescriptionLoader(file: name).load(data)
            guard description.provider + ".json" == name else {
                throw CollectionCatalogError(file: name, problem: "provider '\(description.provider)' must match the file name")
            }
            return description
        })
    }
}

/// Reads one description, refusing anything missing or unknown with the key named.
struct CollectionDescriptionLoader {
    let file: String

    static let logicalRequestFields: Set<String> = ["customerCode", "transactionID", "inquiryID", "items", "amount", "paidAt",
                                                    "reversalID", "reason"]
    static let logicalReplyFields: Set<String> = ["code", "message", "inquiryID", "expiresAt", "customerCode", "customerName",
                                                  "schoolName", "items", "itemID", "description", "amount", "dueDate", "total",
                                                  "transactionID", "receiptNumbers", "exception", "applied", "credited",
                                                  "accessToken", "expiresIn", "tokenType"]
    static let topKeys: Set<String> = ["provider", "name", "notes", "authentication", "merchantField", "paths", "requestFields",
                                       "replyFields", "replies", "timeFormat", "file"]

    func fail(_ problem: String) -> CollectionCatalogError { CollectionCatalogError(file: file, problem: problem) }

    func load(_ data: Data) throws -> CollectionProviderDescription {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw fail("not a JSON object") }
        if let unknown = Set(root.keys).subtracting(Self.topKeys).sorted().first { throw fail("\(unknown): unknown key") }
        let provider = try string(root, "provider")
        guard provider.range(of: "^[a-z][a-z0-9-]{1,22}$", options: .regularExpression) != nil else {
            throw fail("provider: a-z, 0-9 and '-', 2 to 23 characters")
        }
        let authentication = try loadAuthentication(root["authentication"])
        let paths = try loadPaths(root["paths"], authentication: authentication)
        let requestFields = try stringMap(root, "requestFields", allowed: Self.logicalRequestFields)
        let replyFields = try stringMap(root, "replyFields", allowed: Self.logicalReplyFields)
        let replies = try loadReplies(root["replies"])
        let timeName = try string(root, "timeFormat")
        let timeFormat: CallbackTimeFormat
        if timeName == "iso8601" { timeFormat = .iso8601 } else if let pattern = LocalTimePattern(timeName) {
            timeFormat = .local(pattern, utcOffsetMinutes: VietnamTime.utcOffsetSeconds / 60)
        } else { throw fail("timeFormat: '\(timeName)' is neither iso8601 nor a pattern of yyyy MM dd HH mm ss") }
        let fileLayout = try loadFile(root["file"])
        return CollectionProviderDescription(provider: provider, name: try string(root, "name"), authentication: authentication,
                                             merchantField: try string(root, "merchantField"), paths: paths, requestFields: requestFields,
                                             replyFields: replyFields, replies: replies, timeFormat: timeFormat, file: fileLayout)
    }

    func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String, !value.isEmpty else { throw fail("\(key): a non-empty string is required") }
        return value
    }

    func stringMap(_ object: [String: Any], _ key: String, allowed: Set<String>) throws -> [String: String] {
        guard let map = object[key] as? [String: String] else { throw fail("\(key): an object of strings is required") }
        if let unknown = Set(map.keys).subtracting(allowed).sorted().first { throw fail("\(key).\(unknown): unknown field") }
        return map
    }

    func loadAuthentication(_ value: Any?) throws -> CollectionAuthentication {
        guard let object = value as? [String: Any], let scheme = object["scheme"] as? String else {
            throw fail("authentication.scheme is required")
        }
        switch scheme {
        case "timestampedHMAC":
            guard let tolerance = object["toleranceSeconds"] as? Int, (1...900).contains(tolerance) else {
                throw fail("authentication.toleranceSeconds: 1 to 900")
            }
            return .timestampedHMAC(header: try string(object, "header"), toleranceSeconds: Int64(tolerance))
        case "bearerChecksum":
            var copy = object
            copy["scheme"] = nil
            let data = try JSONSerialization.data(withJSONObject: copy)
            let details: CollectionAuthentication.BearerChecksum
            do { details = try JSONDecoder().decode(CollectionAuthentication.BearerChecksum.self, from: data) } catch {
                throw fail("authentication: \(error)")
            }
            guard (30...3_600).contains(details.tokenSeconds), (1...900).contains(details.toleranceSeconds) else {
                throw fail("authentication: tokenSeconds 30 to 3600, toleranceSeconds 1 to 900")
            }
            for operation in [CollectionOperation.inquiry, .payment, .reversal] where details.checksumFields[operation.rawValue]?.isEmpty ?? true {
                throw fail("authentication.checksumFields.\(operation.rawValue): the fields the checksum covers are required")
            }
            return .bearerChecksum(details)
        default:
            throw fail("authentication.scheme: unknown value '\(scheme)' (expected one of: timestampedHMAC, bearerChecksum)")
        }
    }

    func loadPaths(_ value: Any?, authentication: CollectionAuthentication) throws -> [CollectionOperation: String] {
        guard let object = value as? [String: String] else { throw fail("paths: an object of strings is required") }
        var paths: [CollectionOperation: String] = [:]
        for (key, path) in object {
            guard let operation = CollectionOperation(rawValue: key) else { throw fail("paths.\(key): unknown operation") }
            guard path.range(of: "^[a-z][a-z0-9-]{1,31}$", options: .regularExpression) != nil else { throw fail("paths.\(key): bad path segment") }
            paths[operation] = path
        }
        for operation in [CollectionOperation.inquiry, .payment, .reversal] where paths[operation] == nil {
            throw fail("paths.\(operation.rawValue) is required")
        }
        if case .bearerChecksum = authentication, paths[.token] == nil { throw fail("paths.token is required for bearer tokens") }
        guard Set(paths.values).count == paths.count else { throw fail("paths: two operations on one path") }
        return paths
    }

    func loadReplies(_ value: Any?) throws -> [CollectionOutcome: CollectionReply] {
        guard let object = value as? [String: Any] else { throw fail("replies: an object is required") }
        var replies: [CollectionOutcome: CollectionReply] = [:]
        for (key, entry) in object {
            guard let outcome = CollectionOutcome(rawValue: key) else { throw fail("replies.\(key): unknown outcome") }
            guard let entry = entry as? [String: Any], let status = entry["status"] as? Int, (200...599).contains(status),
                  let code = entry["code"] as? String, !code.isEmpty, let message = entry["message"] as? String else {
                throw fail("replies.\(key): status (200-599), code and message are required")
            }
            replies[outcome] = CollectionReply(status: status, code: code, message: message)
        }
        if let missing = CollectionOutcome.allCases.first(where: { replies[$0] == nil }) { throw fail("replies.\(missing.rawValue) is required") }
        return replies
    }

    func loadFile(_ value: Any?) throws -> CollectionFileLayout {
        guard let value else { throw fail("file: the end-of-day file layout is required") }
        let layout: CollectionFileLayout
        do { layout = try JSONDecoder().decode(CollectionFileLayout.self, from: try JSONSerialization.data(withJSONObject: value)) } catch {
            throw fail("file: \(error)")
        }
        guard layout.delimiter.utf8.count == 1 else { throw fail("file.delimiter: one byte") }
        for field in ["transactionID", "paidAt", "customerCode", "amount"] {
            guard let column = layout.fields[field], layout.columns.contains(column) else {
                throw fail("file.fields.\(field): must name one of the columns")
            }
        }
        guard layout.timeFormat == "iso8601" || LocalTimePattern(layout.timeFormat) != nil else { throw fail("file.timeFormat: unknown") }
        if let problem = CollectionDayFile.positionProblem(layout) { throw fail("file.\(problem)") }
        return layout
    }
}
