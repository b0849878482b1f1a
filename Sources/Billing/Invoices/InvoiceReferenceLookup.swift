import Foundation
import Core
import Postgres

extension InvoiceQueries {
    /// An invoice as a person or a path names it: its number (`2026/000123` as printed, or `2026-000123` as a path
    /// segment carries it) or its payment code (any case). Nil when no invoice of the school has it, or it parses as
    /// neither. The one reader of invoice references: the API's paths and bodies, the CLI and the console's forms.
    public static func invoice(schoolID: Int64, reference: String, on connection: PostgresConnection) throws -> Invoice? {
        let text = reference.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= referenceBytesMax else { return nil }
        if let number = try? InvoiceNumber(parsing: text.replacingOccurrences(of: "-", with: "/")) {
            return try invoice(schoolID: schoolID, number: number, on: connection)
        }
        guard !text.contains("/") else { return nil }
        return try invoice(schoolID: schoolID, paymentCode: text.uppercased(), on: connection)
    }

    /// A typed invoice reference longer than this is no number or code of ours.
    public static let referenceBytesMax = 32
}
