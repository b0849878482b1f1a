import Billing
import Core
import SchoolFixtures
import Testing

/// `InvoiceQueries.invoice(schoolID:reference:)`, the one reader of an invoice as people and paths name it (the API's
/// paths and bodies, the CLI, the console's cash desk and suspense forms), on real PostgreSQL.
@Suite struct InvoiceReferenceTests {
    @Test func anInvoiceIsFoundByItsNumberEitherWayOrItsCodeInAnyCase() throws {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 250_000)
        _ = try fixture.addStudent("HS001")
        let invoice = try fixture.invoice(try #require(try fixture.issue().issuedInvoiceIDs.first))
        let slashed = invoice.number.description
        let references = [slashed, slashed.replacingOccurrences(of: "/", with: "-"), " \(slashed) ", invoice.paymentCode,
                          invoice.paymentCode.lowercased()]
        for reference in references {
            let found = try fixture.pool.withConnection { try InvoiceQueries.invoice(schoolID: fixture.school.id, reference: reference, on: $0) }
            #expect(found?.id == invoice.id, "\(reference)")
        }
        let nothing = ["", "2026/999999", "2026/", "abc/def", "NO-SUCH-CODE", String(repeating: "9", count: InvoiceQueries.referenceBytesMax + 1)]
        for reference in nothing {
            #expect(try fixture.pool.withConnection { try InvoiceQueries.invoice(schoolID: fixture.school.id, reference: reference, on: $0) } == nil,
                    "\(reference)")
        }
    }
}
