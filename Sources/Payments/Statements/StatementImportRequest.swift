import BankFormats
import Crypto
import Foundation

/// A statement file to import into one school's bank account.
public struct StatementImportRequest: Sendable {
    public enum Source: Sendable {
        /// A file on disk, read in chunks (the CLI).
        case file(path: String)
        /// Bytes already in memory (an upload).
        case bytes([UInt8])
    }

    public var schoolID: Int64
    /// The school's bank account number (`bank_accounts.account_number`) the statement must be for.
    public var bankAccountNumber: String
    public var source: Source
    /// Recorded with the import and named in errors for uploads; 1 to 255 characters.
    public var fileName: String
    public var format: StatementFormat
    /// Run everything, report, and roll back.
    public var dryRun: Bool
    /// Refuse the file on a continuity gap or a check that cannot be made, instead of reporting it.
    public var strict: Bool
    /// Who imports, as recorded (`cli:<user>`, `token 3 (label)`).
    public var importedBy: String

    public init(schoolID: Int64, bankAccountNumber: String, source: Source, fileName: String, format: StatementFormat = .auto,
                dryRun: Bool = false, strict: Bool = false, importedBy: String) {
        self.schoolID = schoolID
        self.bankAccountNumber = bankAccountNumber
        self.source = source
        self.fileName = fileName
        self.format = format
        self.dryRun = dryRun
        self.strict = strict
        self.importedBy = importedBy
    }

    /// The name errors use for the file: its path as given, or the upload's name.
    var errorName: String {
        switch source {
        case .file(let path): return path
        case .bytes: return fileName
        }
    }

    /// A file name the import records: 1 to `StatementImportLimits.fileNameCharactersMax` Unicode scalars (as the
    /// database's `length` and an API document's `maxLength` count) and no control character (general category Cc).
    public static func isFileName(_ text: String) -> Bool {
        (1...StatementImportLimits.fileNameCharactersMax).contains(text.unicodeScalars.count)
            && !text.unicodeScalars.contains { $0.isControlCharacter }
    }

    func validate() throws(StatementImportError) {
        guard StatementImportRequest.isFileName(fileName) else {
            throw StatementImportError(.invalidRequest, file: errorName, field: "file_name",
                                       message: "must be 1 to \(StatementImportLimits.fileNameCharactersMax) characters without control characters")
        }
        guard !importedBy.isEmpty, importedBy.count <= StatementImportLimits.importedByCharactersMax else {
            throw StatementImportError(.invalidRequest, file: errorName, field: "imported_by",
                                       message: "must be 1 to \(StatementImportLimits.importedByCharactersMax) characters")
        }
    }

    /// SHA-256 of the file's bytes, read in chunks for a file.
    func sha256() throws(StatementImportError) -> [UInt8] {
        switch source {
        case .bytes(let bytes):
            return SHA256Digest.hash(bytes)
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw StatementImportError(.unreadable, file: path, message: "cannot open the file")
            }
            defer { try? handle.close() }
            let hasher = SHA256Hasher()
            do {
                // The parser refuses larger files; do not read one through to hash it first.
                guard try handle.seekToEnd() <= UInt64(StatementLimits.fileBytesMax) else {
                    throw StatementImportError(.unreadable, file: path, message: "the file is larger than \(StatementLimits.fileBytesMax) bytes")
                }
                try handle.seek(toOffset: 0)
                while let chunk = try handle.read(upToCount: StatementLimits.chunkBytes), !chunk.isEmpty {
                    hasher.update(chunk)
                }
            } catch let error as StatementImportError {
                throw error
            } catch {
                throw StatementImportError(.unreadable, file: path, message: "cannot read: \(error.localizedDescription)")
            }
            return hasher.finalize()
        }
    }
}
