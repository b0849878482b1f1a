@testable import API
import Core
import Testing

/// Who may call what, written out by hand: a route's declared roles must equal this table's row, and every
/// route with roles must have a row. A change to a route's roles (or to a role set in `RoleSets`) therefore
/// shows up here as a deliberate edit, not only in the file that declares the route.
/// Letters: a admin, f finance office, o authority office, c accountant, b bank, d feed (data).
@Suite struct AuthorizationTableTests {
    static let table: [String: String] = [
        "GET /metrics": "af",
        "GET /v1/feed/kpi": "afd",
        "GET /v1/feed/schools": "afd",
        "GET /v1/reports/kpi": "afo",
        "GET /v1/reports/province": "afo",
        "GET /v1/schools": "afoc",
        "GET /v1/schools/{school}": "afoc",
        "GET /v1/schools/{school}/fee-schedules": "afoc",
        "GET /v1/schools/{school}/budget-claims": "afoc",
        "GET /v1/schools/{school}/fee-types": "afoc",
        "GET /v1/schools/{school}/invoices": "afoc",
        "GET /v1/schools/{school}/invoices/{invoice}": "afoc",
        "GET /v1/schools/{school}/invoices/{invoice}/notice": "afoc",
        "GET /v1/schools/{school}/invoices/{invoice}/qr": "afoc",
        "GET /v1/schools/{school}/receipts/{receipt}": "afoc",
        "GET /v1/schools/{school}/receipts/{receipt}/page": "afoc",
        "GET /v1/schools/{school}/reconciliations": "afoc",
        "GET /v1/schools/{school}/reconciliations/{run}": "afoc",
        "GET /v1/schools/{school}/reconciliations/{run}/report": "afoc",
        "GET /v1/schools/{school}/students": "afoc",
        "GET /v1/schools/{school}/students/{student}": "afoc",
        "GET /v1/schools/{school}/students/{student}/discounts": "afoc",
        "GET /v1/schools/{school}/suspense": "afoc",
        "POST /v1/schools": "a",
        "POST /v1/schools/{school}/attendance/import": "afc",
        "POST /v1/schools/{school}/cash-payments": "afc",
        "POST /v1/schools/{school}/collections/{provider}/reconciliations": "afc",
        "POST /v1/schools/{school}/enrolments": "afc",
        "POST /v1/schools/{school}/enrolments/import": "afc",
        "POST /v1/schools/{school}/fee-schedules": "afc",
        "POST /v1/schools/{school}/fee-types": "afc",
        "POST /v1/schools/{school}/invoices/issue": "afc",
        "POST /v1/schools/{school}/invoices/prepay": "afc",
        "POST /v1/schools/{school}/invoices/{invoice}/void": "afc",
        "POST /v1/schools/{school}/reconciliations": "afc",
        "POST /v1/schools/{school}/school-calendar": "afc",
        "POST /v1/schools/{school}/statements": "afc",
        "POST /v1/schools/{school}/students": "afc",
        "POST /v1/schools/{school}/students/import": "afc",
        "POST /v1/schools/{school}/students/{student}/discounts": "afc",
        "POST /v1/schools/{school}/students/{student}/withdraw": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/apply": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/not-tuition": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/refund": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/refund-paid": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/reverse": "afc",
        "POST /v1/schools/{school}/suspense/{transaction}/unapply": "afc",
        "PUT /v1/schools/{school}/students/{student}": "afc",
    ]

    /// The console's school pages that act or read the books (`ConsoleSchoolPages.roles`), with the roles of the API route
    /// calling the same service: an authority office reads, never acts.
    static let consolePages: [String: String] = [
        "GET /console/schools/{school}/bank": "afoc",
        "GET /console/schools/{school}/cash": "afc",
        "GET /console/schools/{school}/fees": "afoc",
        "GET /console/schools/{school}/issue": "afc",
        "GET /console/schools/{school}/pupils": "afoc",
        "GET /console/schools/{school}/pupils/{student}": "afoc",
        "GET /console/schools/{school}/receipts/{receipt}": "afoc",
        "GET /console/schools/{school}/reconciliation": "afoc",
        "GET /console/schools/{school}/reconciliation/close": "afc",
        "GET /console/schools/{school}/reconciliations/{run}": "afoc",
        "GET /console/schools/{school}/roster": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/accept": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/apply": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/not-tuition": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/refund": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/refund-paid": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/reverse": "afc",
        "GET /console/schools/{school}/suspense/{transaction}/unapply": "afc",
        "POST /console/schools/{school}/bank/preview": "afc",
        "POST /console/schools/{school}/bank/uploads/{upload}/import": "afc",
        "POST /console/schools/{school}/cash": "afc",
        "POST /console/schools/{school}/issue": "afc",
        "POST /console/schools/{school}/pupils/{student}/enrolments": "afc",
        "POST /console/schools/{school}/pupils/{student}/enrolments/end": "afc",
        "POST /console/schools/{school}/reconciliation/close": "afc",
        "POST /console/schools/{school}/reconciliation/run": "afc",
        "POST /console/schools/{school}/roster/confirm": "afc",
        "POST /console/schools/{school}/roster/preview": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/accept": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/apply": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/not-tuition": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/refund": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/refund-paid": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/reverse": "afc",
        "POST /console/schools/{school}/suspense/{transaction}/unapply": "afc",
    ]

    private static let letters: [Role: Character] = [.admin: "a", .financeOffice: "f", .authorityOffice: "o", .accountant: "c",
                                                     .bank: "b", .feed: "d"]

    private static func text(_ roles: Set<Role>) -> String {
        String(Role.allCases.filter(roles.contains).compactMap { letters[$0] })
    }

    @Test func everyRouteAllowsExactlyTheRolesOfTheTable() throws {
        let server = try APITestServer()
        var declared: [String: String] = [:]
        for spec in server.builder.specs {
            guard case .roles(let allowed) = spec.access else { continue }
            declared["\(spec.method.rawValue) \(spec.template)"] = Self.text(allowed)
        }
        #expect(Set(Self.letters.keys) == Set(Role.allCases), "a new role needs a letter and a column in the table")
        #expect(!declared.isEmpty)
        let rows = declared.keys.sorted().map { "        \"\($0)\": \"\(declared[$0]!)\"," }.joined(separator: "\n")
        #expect(declared == Self.table, "routes and the table disagree; the routes declare:\n\(rows)")
    }

    @Test func everyConsoleSchoolPageAllowsExactlyTheRolesOfTheTable() throws {
        let server = try APITestServer()
        let declared = ConsoleSchoolPages.roles.mapValues(Self.text)
        let rows = declared.keys.sorted().map { "        \"\($0)\": \"\(declared[$0]!)\"," }.joined(separator: "\n")
        #expect(declared == Self.consolePages, "console pages and the table disagree; the pages declare:\n\(rows)")
        let registered = Set(server.builder.pages)
        for page in Self.consolePages.keys { #expect(registered.contains(page), "\(page) is in the table but not served") }
    }
}
