import Billing
import Core
import Foundation
import Postgres

/// Why a notice's money did not simply pay the items it named. Shown in the day's reconciliation,
/// the monthly report and the console; the money itself is never refused.
public enum CollectionException: String, Sendable, Codable, CaseIterable {
    /// More than the items owed: the rest is kept as the family's credit.
    case overpaid = "overpaid"
    /// Less than the items owed: applied oldest due first, the rest still owed.
    case underpaid = "underpaid"
    /// Some named items were paid meanwhile by another channel: what still fitted is applied, the rest is credit.
    case itemsPaidElsewhere = "items_paid_elsewhere"
    /// The notice named no pupil or items we know: the money waits in the suspense queue.
    case unidentified = "unidentified"
    /// The application's checks refused it (e.g. a void invoice): the money waits in the suspense queue.
    case applicationRefused = "application_refused"
    /// A payment we first learned of from the bank's end-of-day file.
    case bankOnly = "bank_only"
}

/// A payment notice as recorded (`collection_payments`).
public struct CollectionPayment: Sendable, Codable, Equatable {
    public var paymentID: Int64
    public var connectionID: Int64
    public var provider: String
    public var bankReference: String
    public var bankTransactionID: Int64
    public var businessDate: CalendarDate
    public var paidAt: Date
    public var amount: Money
    public var customerCode: String
    public var studentID: Int64?
    public var applied: Money
    public var credited: Money
    public var exception: CollectionException?
    public var receiptIDs: [Int64]
    public var source: String
    public var reversedAt: Date?
    public var reversalReference: String?
}

/// The owner of `collection_payments`: every read and write of that table is here.
public enum CollectionPayments {
    static let columns = """
        payment_id, connection_id, provider, bank_reference, bank_transaction_id, business_date, paid_at, amount, customer_code,
        student_id, applied, credited, exception, receipt_ids, source, reversed_at, reversal_reference
        """

    /// Inserts the notices of one school in one statement; their ids, in order.
    static func insert(_ payments: [CollectionPayment], schoolID: Int64, on connection: PostgresConnection) throws -> [Int64] {
        try sendInsert(payments, paymentKeys: payments.map { _ in nil }, schoolID: schoolID, on: connection).get()
    }

    /// `insert` sent now and read later (`PostgresConnection.send`): it travels with the batch's COMMIT.
    /// `paymentKeys`: per payment, the key its application was written under in an EARLIER statement of this
    /// transaction, or nil; a payment with a key records the receipts written under it (read on the server,
    /// `Receipts.idsOfPayment`) instead of its `receiptIDs` — so a notice need not wait for its receipts'
    /// ids before recording itself (docs/callbacks.md §6, eighth round).
    static func sendInsert(_ payments: [CollectionPayment], paymentKeys: [String?], schoolID: Int64,
                           on connection: PostgresConnection) throws -> PostgresPending<[Int64]> {
        precondition(paymentKeys.count == payments.count)
        guard !payments.isEmpty else { return PostgresPending(value: []) }
        return try connection.send("""
            INSERT INTO collection_payments (school_id, connection_id, provider, bank_reference, bank_transaction_id, business_date, paid_at,
                                             amount, customer_code, student_id, applied, credited, exception, receipt_ids, source)
            SELECT \(schoolID), u.connection, u.provider, u.reference, u.transaction, u.day::date, u.paid::timestamptz, u.amount, u.customer,
                   u.student, u.applied, u.credited, u.exception,
                   CASE WHEN u.key IS NULL THEN u.receipts::bigint[] ELSE \(Receipts.idsOfPayment(schoolID: schoolID, keyColumn: "u.key")) END,
                   u.source
            FROM unnest(\(PostgresInt64Array(payments.map(\.connectionID))), \(PostgresTextArray(payments.map(\.provider))),
                        \(PostgresTextArray(payments.map(\.bankReference))), \(PostgresInt64Array(payments.map(\.bankTransactionID))),
                        \(PostgresTextArray(payments.map(\.businessDate.iso))), \(PostgresTextArray(payments.map(\.paidAt.postgresText))),
                        \(PostgresInt64Array(payments.map(\.amount.dong))), \(PostgresTextArray(payments.map(\.customerCode))),
                        \(PostgresNullableInt64Array(payments.map(\.studentID))), \(PostgresInt64Array(payments.map(\.applied.dong))),
                        \(PostgresInt64Array(payments.map(\.credited.dong))), \(PostgresNullableTextArray(payments.map { $0.exception?.rawValue })),
                        \(PostgresTextArray(payments.map { PostgresInt64Array($0.receiptIDs).postgresText })), \(PostgresTextArray(payments.map(\.source))),
                        \(PostgresNullableTextArray(paymentKeys)), \(PostgresInt64Array(payments.indices.map(Int64.init))))
                 AS u(connection, provider, reference, transaction, day, paid, amount, customer, student, applied, credited, exception,
                      receipts, source, key, position)
            ORDER BY u.position
            RETURNING payment_id, bank_reference
            """) { rows in
            var ids: [String: Int64] = [:]
            for row in rows {
                let (id, reference) = try row.decode((Int64, String).self)
                ids[reference] = id
            }
            return payments.map { ids[$0.bankReference]! }
        }
    }

    public static func find(schoolID: Int64, provider: String, bankReference: String, lock: Bool = false,
                            on connection: PostgresConnection) throws -> CollectionPayment? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM collection_payments
            WHERE school_id = \(schoolID) AND provider = \(provider) AND bank_reference = \(bankReference)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """).first.map(decode)
    }

    /// The payments of one business day (reversed ones included, flagged), in the order recorded.
    public static func day(schoolID: Int64, provider: String, date: CalendarDate, on connection: PostgresConnection) throws -> [CollectionPayment] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM collection_payments
            WHERE school_id = \(schoolID) AND provider = \(provider) AND business_date = \(date) ORDER BY payment_id
            """).map(decode)
    }

    /// The payments with a named exception in a month, for the monthly reconciliation and the console.
    public static func exceptions(schoolID: Int64, month: CalendarMonth, on connection: PostgresConnection) throws -> [CollectionPayment] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM collection_payments
            WHERE school_id = \(schoolID) AND business_date BETWEEN \(month.firstDay) AND \(month.lastDay) AND exception IS NOT NULL
            ORDER BY business_date, payment_id LIMIT 10000
            """).map(decode)
    }

    static func markReversed(schoolID: Int64, paymentID: Int64, reference: String, entryID: Int64?, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE collection_payments SET reversed_at = now(), reversal_reference = \(reference), reversal_entry_id = \(entryID)
            WHERE school_id = \(schoolID) AND payment_id = \(paymentID) AND reversed_at IS NULL
            """)
    }

    static func decode(_ row: PostgresRow) throws -> CollectionPayment {
        func column<T: PostgresDecodable>(_ index: Int) throws -> T { try row.decode(column: index, as: T.self) }
        let id: Int64 = try column(0), connectionID: Int64 = try column(1), provider: String = try column(2)
        let reference: String = try column(3), transaction: Int64 = try column(4), date: CalendarDate = try column(5)
        let paidAt: Date = try column(6), amount: Int64 = try column(7), customer: String = try column(8)
        let student = try row.decode(column: 9, as: Int64?.self)
        let applied = try row.decode(column: 10, as: Int64.self)
        let credited = try row.decode(column: 11, as: Int64.self)
        let exception = try row.decode(column: 12, as: String?.self)
        let receipts = try row.decode(column: 13, as: PostgresInt64Array.self)
        let source = try row.decode(column: 14, as: String.self)
        let reversedAt = try row.decode(column: 15, as: Date?.self)
        let reversal = try row.decode(column: 16, as: String?.self)
        return CollectionPayment(paymentID: id, connectionID: connectionID, provider: provider, bankReference: reference, bankTransactionID: transaction,
                                 businessDate: date, paidAt: paidAt, amount: Money(dong: amount), customerCode: customer, studentID: student,
                                 applied: Money(dong: applied), credited: Money(dong: credited), exception: exception.flatMap(CollectionException.init),
                                 receiptIDs: receipts.values, source: source, reversedAt: reversedAt, reversalReference: reversal)
    }
}
