import Core

/// A receipt number: the school year and a gapless sequence within the school and that year, printed `2026/000123`.
///
/// The sequence is assigned by the database (one counter per school and school year); this type only formats and
/// parses it.
public struct ReceiptNumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The school year, named by the year it starts in (`CalendarMonth.schoolYear`).
    public let schoolYear: Int
    public let sequence: Int

    public static let sequenceDigits = 6
    public static let sequenceMax = 999_999
    public static let schoolYearRange = 1900...2999

    public init(schoolYear: Int, sequence: Int) throws(DocumentError) {
        guard ReceiptNumber.schoolYearRange.contains(schoolYear), (1...ReceiptNumber.sequenceMax).contains(sequence) else {
            throw .invalidReceiptNumber("\(schoolYear)/\(sequence)")
        }
        self.schoolYear = schoolYear
        self.sequence = sequence
    }

    /// Parses `YYYY/NNNNNN` exactly (four digits, a slash, six digits).
    public init(parsing text: String) throws(DocumentError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 + ReceiptNumber.sequenceDigits, bytes[4] == UInt8(ascii: "/"),
              let year = ASCIIDigits.value(bytes[0..<4]), let sequence = ASCIIDigits.value(bytes[5...])
        else { throw .invalidReceiptNumber(text) }
        do { try self.init(schoolYear: year, sequence: sequence) } catch { throw .invalidReceiptNumber(text) }
    }

    /// `2026/000123`.
    public var text: String {
        let digits = String(sequence)
        return String(schoolYear) + "/" + String(repeating: "0", count: ReceiptNumber.sequenceDigits - digits.count) + digits
    }

    public var description: String { text }

    public static func < (lhs: ReceiptNumber, rhs: ReceiptNumber) -> Bool {
        (lhs.schoolYear, lhs.sequence) < (rhs.schoolYear, rhs.sequence)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

}
