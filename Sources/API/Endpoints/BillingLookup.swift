import Billing
import Core
import HTTP
import Ledger
import Postgres

/// Resolves the keys in paths and bodies to records of the scoped school. Every query names the school, so a
/// key of another school's record is simply not found (404 in a path, 409 in a body) and nothing leaks.
///
/// Keys:
/// - a student is named by the school's student code, or by their standing payment code (the way to reach a
///   student whose code holds `/`, which a path segment cannot carry);
/// - an invoice by its number, `2026-000123` in a path (`2026/000123` as printed is accepted in bodies), or by
///   its payment code;
/// - a receipt by its id (as the cash desk returns it) or its number `2026-000123`;
/// - a fee type by its code.
enum BillingLookup {
    /// Longer keys cannot name anything; they are refused before any query.
    static let keyBytesMax = 64
    /// How much of an unknown key a problem quotes.
    static let quotedKeyCharactersMax = 40

    static func student(_ key: String, school: School, on connection: PostgresConnection) throws -> Student? {
        guard key.utf8.count <= keyBytesMax, !key.isEmpty else { return nil }
        if let student = try Students.find(schoolID: school.id, code: key, on: connection) { return student }
        let upper = key.uppercased()
        guard PaymentCode.isValid(upper, prefix: school.paymentCodePrefix) == .student else { return nil }
        return try Students.find(schoolID: school.id, paymentCode: upper, on: connection)
    }

    static func invoice(_ key: String, school: School, on connection: PostgresConnection) throws -> Invoice? {
        guard key.utf8.count <= keyBytesMax, !key.isEmpty else { return nil }
        return try InvoiceQueries.invoice(schoolID: school.id, reference: key, on: connection)
    }

    /// What `invoiceNumber` reads, as an anchored pattern: four digits, `-` or `/`, and a sequence of 1 to 9 digits
    /// that is not zero (spelt as one branch per count of leading zeros, since a pattern cannot count otherwise).
    static let invoiceNumberPattern: String = {
        let sequenceDigitsMax = 9
        let sequences = (0..<sequenceDigitsMax).map { zeros in
            String(repeating: "0", count: zeros) + "[1-9]" + (zeros + 1 < sequenceDigitsMax ? "[0-9]{0,\(sequenceDigitsMax - 1 - zeros)}" : "")
        }
        return "^[0-9]{4}[-/](" + sequences.joined(separator: "|") + ")$"
    }()

    /// `2026-000123` or `2026/000123`.
    static func invoiceNumber(_ key: String) -> InvoiceNumber? {
        let slashed = key.replacingOccurrences(of: "-", with: "/")
        return try? InvoiceNumber(parsing: slashed)
    }

    /// The receipt id of a path key: digits are an id, `2026-000123` a number.
    static func receiptID(_ key: String, school: School, on connection: PostgresConnection) throws -> Int64? {
        guard key.utf8.count <= keyBytesMax, !key.isEmpty else { return nil }
        if key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let id = Int64(key), id > 0 else { return nil }
            return try Receipts.existingID(schoolID: school.id, id: id, on: connection)
        }
        guard let number = invoiceNumber(key) else { return nil }
        return try Receipts.id(schoolID: school.id, number: number, on: connection)
    }

    // MARK: - Path parameters: 404 with a specific code

    static func pathStudent(_ request: APIRequest, on connection: PostgresConnection) throws -> Student {
        let key = request.http.pathParameters["student"] ?? ""
        guard let student = try student(key, school: request.scopedSchool, on: connection) else {
            throw APIError.notFound("student_not_found", "no student \(quoted(key)) in school \(request.scopedSchool.code)")
        }
        return student
    }

    static func pathInvoice(_ request: APIRequest, on connection: PostgresConnection) throws -> Invoice {
        let key = request.http.pathParameters["invoice"] ?? ""
        guard let invoice = try invoice(key, school: request.scopedSchool, on: connection) else {
            throw APIError.notFound("invoice_not_found", "no invoice \(quoted(key)) in school \(request.scopedSchool.code)")
        }
        return invoice
    }

    static func pathReceipt(_ request: APIRequest, on connection: PostgresConnection) throws -> ReceiptRecord {
        let key = request.http.pathParameters["receipt"] ?? ""
        let school = request.scopedSchool
        guard let id = try receiptID(key, school: school, on: connection),
              let receipt = try Receipts.receipt(schoolID: school.id, receiptID: id, on: connection) else {
            throw APIError.notFound("receipt_not_found", "no receipt \(quoted(key)) in school \(school.code)")
        }
        return receipt
    }

    // MARK: - Body references: 409 naming the field

    // A body's key is any string as far as its shape goes (the document allows it); whether it names a record is the
    // school's state, not the body's content, so an unknown key is a conflict with that state (409), which a caller
    // resolves by creating the record — never 422, which the document reserves for what the body itself breaks.

    static func bodyStudent(_ key: String, field: String, school: School, on connection: PostgresConnection) throws -> Student {
        guard let student = try student(key, school: school, on: connection) else {
            throw HTTPError(status: .conflict, code: "unknown_student",
                            detail: "\(field): no student \(quoted(key)) in school \(school.code)")
        }
        return student
    }

    static func bodyInvoice(_ key: String, field: String, school: School, on connection: PostgresConnection) throws -> Invoice {
        guard let invoice = try invoice(key, school: school, on: connection) else {
            throw HTTPError(status: .conflict, code: "unknown_invoice",
                            detail: "\(field): no invoice \(quoted(key)) in school \(school.code)")
        }
        return invoice
    }

    static func bodyFeeType(_ code: String, field: String, school: School, on connection: PostgresConnection) throws -> FeeType {
        guard code.utf8.count <= keyBytesMax, !code.isEmpty,
              let fee = try FeeTypes.find(schoolID: school.id, code: code, on: connection) else {
            throw HTTPError(status: .conflict, code: "unknown_fee_type",
                            detail: "\(field): no fee type \(quoted(code)) in school \(school.code)")
        }
        return fee
    }

    /// `'key'`, shortened: problems quote what the caller sent without echoing a long input back.
    static func quoted(_ key: String) -> String {
        "'" + String(key.prefix(quotedKeyCharactersMax)) + (key.count > quotedKeyCharactersMax ? "…" : "") + "'"
    }
}
