/// Why a statement file was refused. The first error stops the parse.
///
/// A consumer that receives this error (or any error) from a parse must discard everything it
/// received from that parse: statements and lines delivered before the error are not a valid file.
public struct StatementParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The file could not be opened or read.
        case io
        /// A size or count limit was exceeded.
        case limit
        /// Bytes that are not text in the expected encoding.
        case encoding
        /// Malformed syntax (a tag, an amount, a date, XML markup, CSV quoting).
        case syntax
        /// Well-formed pieces in an impossible arrangement (a line before the opening balance, a missing field).
        case structure
        /// The format could not be determined or the requested description does not exist.
        case format
    }

    public var kind: Kind
    /// The file's path as given, or a name for in-memory input.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// For XML: the element path, e.g. `Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt`.
    public var xmlPath: String?
    /// The field concerned: `:61:`, a CSV column header, an element name.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, xmlPath: String? = nil, field: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.xmlPath = xmlPath
        self.field = field
        self.message = message
    }

    /// `statement.sta: line 12: field :61: amount '12.50' is not …`, or for XML
    /// `file.xml: line 40: Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt: …`.
    public var description: String {
        Self.located(message, file: file, line: line, xmlPath: xmlPath, field: field)
    }

    /// The one way a statement error names where it is: file, line, element path, field, then the message
    /// (the importer's errors say it the same way).
    public static func located(_ message: String, file: String, line: Int?, xmlPath: String?, field: String?) -> String {
        var text = file
        if let line { text += ": line \(line)" }
        if let xmlPath { text += ": \(xmlPath)" }
        if let field { return text + ": field \(field) " + message }
        return text + ": " + message
    }
}
