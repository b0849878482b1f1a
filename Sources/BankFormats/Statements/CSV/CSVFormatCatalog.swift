import Foundation

/// The CSV format descriptions known to a parse, by id.
public struct CSVFormatCatalog: Sendable {
    public private(set) var descriptions: [CSVFormatDescription]

    public init(descriptions: [CSVFormatDescription]) {
        self.descriptions = descriptions.sorted { $0.id < $1.id }
    }

    public static let empty = CSVFormatCatalog(descriptions: [])

    /// Loads every `*.json` in `directory` (e.g. `bank-formats/statements`); each file's name must be its id.
    public init(directory: String) throws(CSVFormatDescriptionError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CSVFormatDescriptionError(file: directory, field: nil, message: "cannot list the directory: \(error.localizedDescription)")
        }
        guard names.count <= StatementLimits.descriptionsMax else {
            throw CSVFormatDescriptionError(file: directory, field: nil, message: "more than \(StatementLimits.descriptionsMax) descriptions")
        }
        var loaded: [CSVFormatDescription] = []
        for name in names {
            let path = directory + "/" + name
            let description = try CSVFormatCatalog.load(path: path)
            guard description.id + ".json" == name else {
                throw CSVFormatDescriptionError(file: path, field: "id", message: "'\(description.id)' must match the file name")
            }
            loaded.append(description)
        }
        self.init(descriptions: loaded)
    }

    public static func load(path: String) throws(CSVFormatDescriptionError) -> CSVFormatDescription {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVFormatDescriptionError(file: path, field: nil, message: "cannot read the file")
        }
        guard data.count <= StatementLimits.descriptionBytesMax else {
            throw CSVFormatDescriptionError(file: path, field: nil, message: "larger than \(StatementLimits.descriptionBytesMax) bytes")
        }
        return try CSVFormatDescription(json: data, file: path)
    }

    public func description(id: String) -> CSVFormatDescription? {
        descriptions.first { $0.id == id }
    }

    public var ids: [String] { descriptions.map(\.id) }
}
