import Foundation

/// Every provider description in a directory, loaded and checked once at startup.
public struct CallbackCatalog: Sendable {
    public let descriptions: [String: CallbackProviderDescription]

    public static let fileCountMax = 64

    public init(_ descriptions: [CallbackProviderDescription]) {
        var byID: [String: CallbackProviderDescription] = [:]
        for description in descriptions {
            precondition(byID[description.provider] == nil, "provider \(description.provider) described twice")
            byID[description.provider] = description
        }
        self.descriptions = byID
    }

    /// Loads every `*.json` in `directory` (other files are ignored). Any invalid description fails the whole load.
    public static func load(directory: URL) throws(CallbackCatalogError) -> CallbackCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CallbackCatalogError(file: directory.path, key: "", problem: "cannot list the directory: \(error.localizedDescription)")
        }
        guard names.count <= fileCountMax else {
            throw CallbackCatalogError(file: directory.path, key: "", problem: "more than \(fileCountMax) descriptions")
        }
        var descriptions: [CallbackProviderDescription] = []
        for name in names {
            descriptions.append(try loadFile(directory.appendingPathComponent(name), name: name))
        }
        return CallbackCatalog(descriptions)
    }

    private static func loadFile(_ url: URL, name: String) throws(CallbackCatalogError) -> CallbackProviderDescription {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            guard size <= CallbackLimits.descriptionBytesMax else {
                throw CallbackCatalogError(file: name, key: "", problem: "\(size) bytes exceed the limit of \(CallbackLimits.descriptionBytesMax)")
            }
            data = try Data(contentsOf: url)
        } catch let error as CallbackCatalogError {
            throw error
        } catch {
            throw CallbackCatalogError(file: name, key: "", problem: "cannot read: \(error.localizedDescription)")
        }
        return try CallbackProviderDescription.load(Array(data), fileName: name)
    }

    public func description(for provider: String) -> CallbackProviderDescription? { descriptions[provider] }

    /// Provider ids in order.
    public var providers: [String] { descriptions.keys.sorted() }
}
