@testable import API
import Billing
import Core
import HTTP
import Payments
import Testing

/// A billing refusal answers with one HTTP status wherever it surfaces: on the billing routes and inside a
/// suspense operation (which once had its own mapping and answered 422 where the billing routes said 409).
@Suite struct BillingErrorMappingTests {
    /// Written out here, not derived from the mapping: what an API client is promised for each refusal.
    private static let expected: [(BillingError, Int, String)] = [
        (.unknownInvoice("2026/000009"), 404, "invoice_not_found"),
        (.unknownStudent("HS1"), 404, "student_not_found"),
        (.allocationExceedsOutstanding(invoice: "2026/000001", amount: Money(dong: 9), outstanding: Money(dong: 5)), 409,
         "allocation_exceeds_outstanding"),
        (.invoiceNotPayable("void"), 409, "invoice_not_payable"),
        (.alreadyUnapplied(applicationID: 3), 409, "already_unapplied"),
        (.idempotencyConflict(key: "k"), 409, "idempotency_conflict"),
        (.duplicate("HS1"), 409, "duplicate"),
        // Decided by the school's records (its ownership, its level, the catalogue), not the body: 409.
        (.billableMonthsCap(months: 10, max: 9, level: .primary, schoolYear: 2026), 409, "billable_months_cap"),
        (.tuitionFreeAtPublicSchool(schoolYear: 2026), 409, "tuition_free_at_public_school"),
        (.allocationInvalid("no allocations"), 422, "allocation_invalid"),
        (.invalidField(field: "amount", problem: "must be positive"), 422, "invalid_field"),
    ]

    @Test func billingAndSuspenseRoutesAnswerTheSame() throws {
        for (error, status, code) in Self.expected {
            let billing = try #require(APIError.translate(error) as? HTTPError, "\(error)")
            let suspense = try #require(SuspenseEndpoints.problem(.billing(error)) as? HTTPError, "\(error)")
            #expect(Int(billing.status.code) == status, "\(error)")
            #expect(billing.code == code, "\(error)")
            #expect(suspense == billing, "\(error)")
        }
    }
}
