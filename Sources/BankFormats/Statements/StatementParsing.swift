/// The entry point: parse a statement file and deliver it to a consumer.
///
/// ```swift
/// let catalog = try CSVFormatCatalog(directory: "bank-formats/statements")
/// let format = try StatementParsing.resolveFormat(fileAt: path, format: .auto, descriptions: catalog)
/// var writer = StatementJSONWriter(format: format.name) { print($0, terminator: "") }
/// try StatementParsing.parse(fileAt: path, format: format, descriptions: catalog, consumer: &writer)
/// try writer.finish()
/// ```
///
/// The file is read in chunks of `StatementLimits.chunkBytes`; statements and lines are handed to the
/// consumer as they complete, so memory does not grow with the file. The first error stops the parse
/// and is thrown; the consumer must then discard everything it received.
public enum StatementParsing {
    /// The format a parse with `format` would use: `format` itself unless it is `.auto`, or a description
    /// id given for a workbook (`.csv(id)` on an `.xlsx` file reads it as `.xlsx(id)`).
    public static func resolveFormat(fileAt path: String, format: StatementFormat, descriptions: CSVFormatCatalog) throws -> StatementFormat {
        let source = try FileByteSource(path: path)
        var prefix = [UInt8](repeating: 0, count: StatementLimits.detectionBytesMax)
        var count = 0
        while count < prefix.count {
            let read = try prefix.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            if read == 0 { break }
            count += read
        }
        prefix.removeSubrange(count...)
        if XLSXWorkbook.looksLikeWorkbook(prefix), format == .auto {
            return try resolveFormat(bytes: try readAll(FileByteSource(path: path), file: path), name: path, format: format,
                                     descriptions: descriptions)
        }
        return try resolveFormat(bytes: prefix, name: path, format: format, descriptions: descriptions)
    }

    /// As `resolveFormat(fileAt:)`, for a file in memory (`bytes` may be just its first
    /// `detectionBytesMax` bytes, except for a workbook detected with `.auto`, which needs all of it).
    public static func resolveFormat(bytes: [UInt8], name: String, format: StatementFormat, descriptions: CSVFormatCatalog) throws -> StatementFormat {
        if XLSXWorkbook.looksLikeWorkbook(bytes.prefix(8)) {
            switch format {
            case .auto: return try StatementFormatDetector.detectWorkbook(XLSXWorkbook(bytes: bytes, file: name), descriptions: descriptions)
            case .csv(let id), .xlsx(let id): return .xlsx(id)
            case .mt940, .mt942, .camt053, .camt054: return format
            }
        }
        guard format == .auto else { return format }
        return try StatementFormatDetector.detect(prefix: Array(bytes.prefix(StatementLimits.detectionBytesMax)),
                                                  descriptions: descriptions, file: name)
    }

    /// The whole source, for a workbook (a ZIP archive is read from its end): at most `XLSXLimits.archiveBytesMax`.
    static func readAll(_ source: any ByteSource, file: String) throws -> [UInt8] {
        var source = source
        var bytes: [UInt8] = []
        // A file's size known up front: one allocation instead of doubling (each doubling touches fresh pages).
        if let file = source as? FileByteSource { bytes.reserveCapacity(min(file.sizeAtOpen, XLSXLimits.archiveBytesMax)) }
        var chunk = [UInt8](repeating: 0, count: StatementLimits.chunkBytes)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return bytes }
            guard bytes.count + count <= XLSXLimits.archiveBytesMax else {
                throw StatementParseError(.limit, file: file, message: "xlsx: the workbook is larger than \(XLSXLimits.archiveBytesMax) bytes")
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Parses the file at `path`. Returns the format used (the detected one for `.auto`).
    /// With `strict`, the first tolerance (`StatementTolerance`) refuses the file instead of warning.
    @discardableResult
    public static func parse<Consumer: StatementConsumer>(
        fileAt path: String, format: StatementFormat = .auto, descriptions: CSVFormatCatalog, strict: Bool = false, consumer: inout Consumer
    ) throws -> StatementFormat {
        let resolved = try resolveFormat(fileAt: path, format: format, descriptions: descriptions)
        try run(source: FileByteSource(path: path), file: path, format: resolved, descriptions: descriptions, strict: strict,
                consumer: &consumer)
        return resolved
    }

    /// Parses bytes already in memory; `name` stands for the file in errors.
    @discardableResult
    public static func parse<Consumer: StatementConsumer>(
        bytes: [UInt8], name: String, format: StatementFormat = .auto, descriptions: CSVFormatCatalog, strict: Bool = false,
        consumer: inout Consumer
    ) throws -> StatementFormat {
        let resolved = try resolveFormat(bytes: bytes, name: name, format: format, descriptions: descriptions)
        try run(source: MemoryByteSource(bytes: bytes, name: name), file: name, format: resolved, descriptions: descriptions,
                strict: strict, consumer: &consumer)
        return resolved
    }

    private static func run<Consumer: StatementConsumer>(
        source: any ByteSource, file: String, format: StatementFormat, descriptions: CSVFormatCatalog, strict: Bool,
        consumer: inout Consumer
    ) throws {
        switch format {
        case .auto:
            preconditionFailure("the format is resolved before parsing")
        case .mt940, .mt942:
            let input = ChunkedInput(source: TextDecodingSource(source: source, encoding: .utf8, file: file), file: file)
            var parser = MT940Parser(input: input, consumer: consumer, strict: strict, intraday: format == .mt942)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        case .camt053, .camt054:
            var parser = Camt053Parser(input: ChunkedInput(source: source, file: file), consumer: consumer)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
            // The format decides how the money is imported (booked, or provisional): it must be the document's.
            guard parser.isNotification == (format == .camt054) else {
                throw StatementParseError(.format, file: file, message: format == .camt054
                    ? "not a camt.054 notification: the document is a camt.053 statement (BkToCstmrStmt)"
                    : "not a camt.053 statement: the document is a camt.054 notification (BkToCstmrDbtCdtNtfctn)")
            }
        case .xlsx(let id):
            let description = try csvDescription(id, descriptions: descriptions, file: file)
            let workbook = try XLSXWorkbook(bytes: try readAll(source, file: file), file: file)
            let csv = try XLSXSheetRenderer(workbook: workbook, style: XLSXRenderStyle(description)).csv()
            let decoded = TextDecodingSource(source: try MemoryByteSource(bytes: csv, name: file), encoding: .utf8, file: file)
            var parser = CSVStatementParser(input: ChunkedInput(source: decoded, file: file), format: description, consumer: consumer)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        case .csv(let id):
            let description = try csvDescription(id, descriptions: descriptions, file: file)
            let decoded = TextDecodingSource(source: source, encoding: decoding(description.encoding), file: file)
            var parser = CSVStatementParser(input: ChunkedInput(source: decoded, file: file), format: description, consumer: consumer)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        }
    }

    static func csvDescription(_ id: String, descriptions: CSVFormatCatalog, file: String) throws -> CSVFormatDescription {
        guard let description = descriptions.description(id: id) else {
            let known = descriptions.ids.isEmpty ? "none loaded" : descriptions.ids.joined(separator: ", ")
            throw StatementParseError(.format, file: file, message: "no CSV format description '\(id)' (known: \(known))")
        }
        return description
    }

    static func decoding(_ encoding: CSVFormatDescription.Encoding) -> TextDecodingSource.Encoding {
        switch encoding {
        case .utf8: return .utf8
        case .utf16: return .utf16WithMark
        case .utf16LE: return .utf16(bigEndian: false)
        case .utf16BE: return .utf16(bigEndian: true)
        }
    }
}
