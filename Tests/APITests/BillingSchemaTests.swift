import API
import Foundation
import Testing
import TestSupport

/// The billing responses are what the OpenAPI document says: every key written is documented, every
/// required key is written.
@Suite struct BillingSchemaTests {
    @Test func responsesFollowTheirSchemas() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.seedSeptember()
        let invoice = try api.invoice(of: "HS001")
        let code = invoice["payment_code"] as? String ?? "?"
        let paid = try api.post("/cash-payments", #"{"students":["HS002"],"amount":1600000,"payer_name":"Trần Thị Mẹ"}"#)
        let receipt = (paid.json["receipt_ids"] as? [Int])?.first ?? 0
        let document = try server.client.get("/openapi.json").json
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let responses: [(String, [String: Any])] = [
            ("StudentView", try api.get("/students/HS001").json),
            ("StudentList", try api.get("/students?limit=1").json),
            ("InvoiceView", try api.get("/invoices/\(code)").json),
            ("InvoiceList", try api.get("/invoices?limit=1").json),
            ("InvoiceQRView", try api.get("/invoices/\(code)/qr").json),
            ("CashPaymentView", paid.json),
            ("ReceiptView", try api.get("/receipts/\(receipt)").json),
            ("FeeScheduleList", try api.get("/fee-schedules?school_year=2026").json),
            ("FeeTypeList", try api.get("/fee-types").json),
            ("IssueSummaryView", try api.post("/invoices/issue", #"{"period":"2026-09"}"#).json),
        ]
        for (name, json) in responses {
            let schema = try #require(schemas[name] as? [String: Any], "\(name) is documented")
            check(json, against: schema, name)
            // A listing's items follow the item schema.
            let itemSchema = ((schema["properties"] as? [String: Any])?["items"] as? [String: Any])?["items"] as? [String: Any]
            if let itemSchema, let item = (json["items"] as? [[String: Any]])?.first { check(item, against: itemSchema, name + ".items") }
        }
    }

    func check(_ json: [String: Any], against schema: [String: Any], _ name: String) {
        let properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
        let written = Set(json.keys)
        #expect(!written.isEmpty, "\(name) wrote nothing")
        #expect(written.isSubset(of: properties), "\(name) writes undocumented \(written.subtracting(properties))")
        let required = Set(schema["required"] as? [String] ?? [])
        #expect(required.isSubset(of: written), "\(name) misses required \(required.subtracting(written))")
    }
}
