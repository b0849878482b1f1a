import Foundation
import Core
import Postgres

extension InvoiceQueries {
    /// An invoice as a person names it: its number (`2026/000123`, with a slash) or its payment code (without).
    /// Nil when no invoice of the school has it, or a number does not parse.
    public static func invoice(schoolID: Int64, reference: String, on connection: PostgresConnection) throws -> Invoice? {
        let text = reference.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= referenceBytesMax else { return nil }
        guard text.contains("/") else { return try invoice(schoolID: schoolID, paymentCode: text, on: connection) }
        guard let number = try? InvoiceNumber(parsing: text) else { return nil }
        return try invoice(schoolID: schoolID, number: number, on: connection)
    }

    /// A typed invoice reference longer than this is no number or code of ours.
    public static let referenceBytesMax = 32
}
