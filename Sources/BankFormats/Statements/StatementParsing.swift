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
    /// The format a parse with `format` would use: `format` itself unless it is `.auto`.
    public static func resolveFormat(fileAt path: String, format: StatementFormat, descriptions: CSVFormatCatalog) throws -> StatementFormat {
        guard format == .auto else { return format }
        let source = try FileByteSource(path: path)
        var prefix = [UInt8](repeating: 0, count: StatementLimits.detectionBytesMax)
        var count = 0
        while count < prefix.count {
            let read = try prefix.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            if read == 0 { break }
            count += read
        }
        return try StatementFormatDetector.detect(prefix: Array(prefix[..<count]), descriptions: descriptions, file: path)
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
        var resolved = format
        if format == .auto {
            resolved = try StatementFormatDetector.detect(prefix: Array(bytes.prefix(StatementLimits.detectionBytesMax)),
                                                          descriptions: descriptions, file: name)
        }
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
        case .mt940:
            let input = ChunkedInput(source: TextDecodingSource(source: source, encoding: .utf8, file: file), file: file)
            var parser = MT940Parser(input: input, consumer: consumer, strict: strict)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        case .camt053:
            var parser = Camt053Parser(input: ChunkedInput(source: source, file: file), consumer: consumer)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        case .csv(let id):
            guard let description = descriptions.description(id: id) else {
                let known = descriptions.ids.isEmpty ? "none loaded" : descriptions.ids.joined(separator: ", ")
                throw StatementParseError(.format, file: file, message: "no CSV format description '\(id)' (known: \(known))")
            }
            let decoded = TextDecodingSource(source: source, encoding: decoding(description.encoding), file: file)
            var parser = CSVStatementParser(input: ChunkedInput(source: decoded, file: file), format: description, consumer: consumer)
            defer { consumer = parser.delivery.consumer }
            try parser.run()
        }
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
