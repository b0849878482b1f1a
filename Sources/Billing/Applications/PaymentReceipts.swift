import Core
import Ledger
import Postgres

/// Writes the receipts of a payment: one per student paid, numbered per school and school year
/// without gaps (the counter row is updated in the payment's transaction).
enum PaymentReceipts {
    /// The receipt id of each student paid; empty for applications of family credit.
    static func write(_ request: PaymentRequest, planned: [PaymentApplication.Planned], on connection: PostgresConnection) throws -> [Int64: Int64] {
        guard request.source != .familyCredit else { return [:] }
        var order: [Int64] = []
        var amounts: [Int64: Int64] = [:]
        for application in planned {
            if amounts[application.studentID] == nil { order.append(application.studentID) }
            amounts[application.studentID, default: 0] += application.amount.dong
        }
        let schoolYear = request.receivedOn.calendarMonth.schoolYear
        let first = try BillingCounter.reserve(.receiptNumber, schoolID: request.schoolID, schoolYear: schoolYear, count: order.count, on: connection)
        let (method, reference): (String, String?) = {
            if case .bankTransaction(_, let reference) = request.source { return ("bank", reference) }
            return ("cash", nil)
        }()
        let rows = try connection.query("""
            INSERT INTO receipts (school_id, school_year, number, payment_key, student_id, payer_name, method, bank_transaction_id,
                                  bank_reference, amount, received_on, recorded_by)
            SELECT \(request.schoolID), \(schoolYear), u.n, \(request.paymentKey), u.s, \(StudentRules.collapse(request.payerName)),
                   \(method), \(request.source.bankTransactionID), \(reference), u.a, \(request.receivedOn), \(request.recordedBy)
            FROM unnest(\(PostgresInt64Array(order.indices.map { first + Int64($0) })), \(PostgresInt64Array(order)),
                        \(PostgresInt64Array(order.map { amounts[$0]! }))) AS u(n, s, a)
            RETURNING student_id, receipt_id
            """)
        var receipts: [Int64: Int64] = [:]
        for row in rows {
            let (student, receipt) = try row.decode((Int64, Int64).self)
            receipts[student] = receipt
        }
        precondition(receipts.count == order.count)
        return receipts
    }
}
