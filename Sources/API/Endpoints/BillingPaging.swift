import Foundation
import HTTP

/// Keyset paging for the billing listings: `limit` rows after the key `after` (the last key of the previous
/// page, given back as `next_after`). Keys, not offsets, so a page stays right while rows are added.
struct BillingPage {
    static let limitDefault = 100
    static let limitMax = 500
    /// The longest cursor accepted (a student code or an invoice number is far shorter), in Unicode scalars as
    /// the document's `maxLength` counts them.
    static let afterCharactersMax = 64

    let limit: Int
    let after: String?

    static let queryParameters = queryParameters(after: APIParameterSchemas.queryText(characters: 1...afterCharactersMax))

    /// `limit` and `after`, with the schema of the listing's own key (an invoice listing takes invoice numbers).
    static func queryParameters(after: JSONSchema) -> [QueryParameterSpec] {
        [QueryParameterSpec("limit", .integerRange(1...Int64(limitMax)), "Rows per page, 1 to \(limitMax) (default \(limitDefault))."),
         QueryParameterSpec("after", after, "The `next_after` of the previous page; absent for the first page.")]
    }

    init(_ request: APIRequest) throws {
        limit = try request.query("limit") { text -> Int in
            guard let value = Int(text), (1...BillingPage.limitMax).contains(value) else {
                throw BillingParameterError("must be a number from 1 to \(BillingPage.limitMax)")
            }
            return value
        } ?? BillingPage.limitDefault
        after = try request.query("after") { text -> String in
            guard !text.isEmpty, text.unicodeScalars.count <= BillingPage.afterCharactersMax else {
                throw BillingParameterError("must be 1 to \(BillingPage.afterCharactersMax) characters")
            }
            return text
        }
    }

    /// The first `limit` of `rows` (fetched with `limit + 1`), and the key to continue after when there are more.
    func page<Row>(_ rows: [Row], key: (Row) -> String) -> (items: [Row], nextAfter: String?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map(key))
    }
}

/// Why a query parameter was refused; its text becomes the 400's detail.
struct BillingParameterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
