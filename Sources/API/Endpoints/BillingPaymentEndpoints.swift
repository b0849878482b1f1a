import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Cash at the counter and the receipts it gives.
enum BillingPaymentEndpoints {
    /// The desk's own idempotency key; it is stored under `keyNamespace` so it can never meet a bank's key.
    static let paymentKeyBytesMax = 100
    static let keyNamespace = "cash-api:"

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let base = BillingEndpoints.base
        builder.add(.post, base + "/cash-payments",
                    summary: "Record cash received: applied to the students' invoices (oldest due first unless allocated), "
                        + "the rest kept as the family's credit; one receipt per student",
                    tag: "payments", roles: BillingEndpoints.writers, request: CashPaymentRequest.self, response: CashPaymentView.self,
                    status: .created) { request in
            try recordCash(request, context: context)
        }
        builder.add(.get, base + "/receipts/{receipt}", summary: "Get a receipt (by id or number 2026-000123)", tag: "payments",
                    roles: BillingEndpoints.readers, response: ReceiptView.self) { request in
            let record = try BillingRequest.read(context) { try BillingLookup.pathReceipt(request, on: $0) }
            return try APIJSON.response(ReceiptView(record))
        }
    }

    static func recordCash(_ request: APIRequest, context: APIContext) throws -> Response {
        let body = try request.decode(CashPaymentRequest.self)
        try check(body)
        let school = request.scopedSchool
        let key = body.paymentKey.map { keyNamespace + $0 }
        let view = try BillingRequest.write(context) { connection -> CashPaymentView in
            let students = try body.students.enumerated().map { index, code in
                try BillingLookup.bodyStudent(code, field: "students[\(index)]", school: school, on: connection)
            }
            let allocations = try body.allocations.map { given in
                try given.enumerated().map { index, allocation in
                    PaymentAllocation(invoiceID: try BillingLookup.bodyInvoice(allocation.invoice, field: "allocations[\(index)].invoice",
                                                                               school: school, on: connection).id,
                                      amount: allocation.amount)
                }
            }
            if let key, let earlier = try replay(key: key, amount: body.amount, school: school, on: connection) {
                return try cashView(earlier, paymentKey: body.paymentKey ?? key, replayed: true, school: school, on: connection)
            }
            let result = try CashReceipts.record(CashPayment(
                schoolID: school.id, studentIDs: students.map(\.id), amount: body.amount, payerName: body.payerName,
                receivedOn: body.receivedOn ?? VietnamTime.today, allocations: allocations, recordedBy: BillingRequest.actor(request),
                paymentKey: key), on: connection)
            return try cashView(result.applications, paymentKey: body.paymentKey ?? result.paymentKey, replayed: result.replayed,
                                school: school, on: connection)
        }
        return try APIJSON.response(view, status: view.replayed ? .ok : .created)
    }

    /// A desk's payment key: 1 to `paymentKeyBytesMax` printable ASCII characters, no space (`paymentKeyPattern`).
    static func isPaymentKey(_ key: String) -> Bool {
        (1...paymentKeyBytesMax).contains(key.utf8.count) && key.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    static var paymentKeyPattern: String { "^[!-~]{1,\(paymentKeyBytesMax)}$" }

    /// Bounds checked before any query.
    static func check(_ body: CashPaymentRequest) throws {
        guard (1...BillingLimits.studentsPerPaymentMax).contains(body.students.count) else {
            throw BillingRequest.invalid("students", "1 to \(BillingLimits.studentsPerPaymentMax) student codes")
        }
        if let allocations = body.allocations, allocations.count > BillingLimits.allocationsPerPaymentMax {
            throw BillingRequest.invalid("allocations", "at most \(BillingLimits.allocationsPerPaymentMax)")
        }
        if let key = body.paymentKey {
            guard isPaymentKey(key) else {
                throw BillingRequest.invalid("payment_key", "1 to \(paymentKeyBytesMax) printable ASCII characters without spaces")
            }
        }
    }

    /// The recorded result of a key used before: the same when the amount is the same (a retry), a conflict otherwise.
    /// (Checked here because oldest-due-first would allocate a retry differently once the first attempt paid the invoices.)
    static func replay(key: String, amount: Money, school: School, on connection: PostgresConnection) throws -> [AppliedPayment]? {
        let earlier = try Applications.list(schoolID: school.id, paymentKey: key, on: connection)
        guard !earlier.isEmpty else { return nil }
        guard try Money.sum(earlier.map(\.amount)) == amount else {
            throw APIError.conflict("idempotency_conflict", "payment_key was used before for a different amount")
        }
        return earlier
    }

    /// The applications as the desk sees them: invoice numbers, student codes and receipt numbers.
    static func cashView(_ applied: [AppliedPayment], paymentKey: String, replayed: Bool, school: School,
                         on connection: PostgresConnection) throws -> CashPaymentView {
        let invoiceIDs = applied.compactMap(\.invoiceID)
        let receiptIDs = Array(Set(applied.compactMap(\.receiptID))).sorted()
        let numbers = try InvoiceQueries.numbers(schoolID: school.id, ids: invoiceIDs, on: connection).mapValues(\.text)
        let students = try Students.list(schoolID: school.id, ids: applied.map(\.studentID), on: connection)
        let codes = Dictionary(students.map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
        let receiptNumbers = try Receipts.numbers(schoolID: school.id, ids: receiptIDs, on: connection)
        let receipts = receiptIDs.compactMap { id in receiptNumbers[id].map { ReceiptView.link(id: id, number: $0, school: school) } }
        let applications = applied.map {
            ApplicationView(applicationId: $0.applicationID, invoice: $0.invoiceID.flatMap { numbers[$0] }, studentCode: codes[$0.studentID] ?? "",
                            amount: $0.amount, rule: $0.rule, explanation: $0.explanation, receiptId: $0.receiptID)
        }
        let credit = try Money.sum(applied.filter { $0.invoiceID == nil }.map(\.amount))
        return CashPaymentView(paymentKey: paymentKey, replayed: replayed, applications: applications, receiptIds: receiptIDs,
                               receipts: receipts, creditKept: credit)
    }
}
