import HTTP

/// How ids flow from one operation to the next, as OpenAPI `links` on the first operation's success response:
/// a client (and schemathesis's stateful phase) reads from them which call creates or lists what another reads.
///
/// One row per link. A row names both operations by method and template and maps each path parameter of the
/// target to a runtime expression: `$request.path.school` passes the caller's school on, `$response.body#/…`
/// reads a JSON pointer of the response. `OpenAPIContractTests` checks that every row's operations exist and
/// every pointer names a property of the response schema, so a renamed field or route fails a test here.
struct OpenAPILink: Sendable {
    var from: (method: HTTPMethod, template: String)
    var name: String
    var to: (method: HTTPMethod, template: String)
    var parameters: [String: String]

    init(_ fromMethod: HTTPMethod, _ fromTemplate: String, _ name: String, to toMethod: HTTPMethod, _ toTemplate: String,
         _ parameters: [String: String]) {
        from = (fromMethod, fromTemplate)
        self.name = name
        to = (toMethod, toTemplate)
        self.parameters = parameters
    }
}

enum OpenAPILinks {
    static let school = "$request.path.school"
    static let schools = "/v1/schools"
    static let aSchool = "/v1/schools/{school}"
    static let student = aSchool + "/students/{student}"
    static let invoice = aSchool + "/invoices/{invoice}"
    static let receipt = aSchool + "/receipts/{receipt}"
    static let run = aSchool + "/reconciliations/{run}"
    static let transaction = aSchool + "/suspense/{transaction}"

    static let all: [OpenAPILink] = schoolLinks + studentLinks + invoiceLinks + paymentLinks + runLinks + suspenseLinks

    static let schoolLinks: [OpenAPILink] = [
        OpenAPILink(.post, schools, "GetCreatedSchool", to: .get, aSchool, ["school": "$response.body#/code"]),
        OpenAPILink(.get, schools, "GetFirstSchool", to: .get, aSchool, ["school": "$response.body#/items/0/code"]),
    ]

    static let studentLinks: [OpenAPILink] = [
        OpenAPILink(.post, aSchool + "/students", "GetCreatedStudent", to: .get, student,
                    ["school": school, "student": "$response.body#/student_code"]),
        OpenAPILink(.post, aSchool + "/students", "UpdateCreatedStudent", to: .put, student,
                    ["school": school, "student": "$response.body#/student_code"]),
        OpenAPILink(.get, aSchool + "/students", "GetFirstStudent", to: .get, student,
                    ["school": school, "student": "$response.body#/items/0/student_code"]),
        OpenAPILink(.get, student, "GetStudentDiscounts", to: .get, student + "/discounts",
                    ["school": school, "student": "$response.body#/student_code"]),
    ]

    static let invoiceLinks: [OpenAPILink] = [
        OpenAPILink(.get, aSchool + "/invoices", "GetFirstInvoice", to: .get, invoice,
                    ["school": school, "invoice": "$response.body#/items/0/payment_code"]),
        OpenAPILink(.get, aSchool + "/invoices", "GetFirstInvoiceQR", to: .get, invoice + "/qr",
                    ["school": school, "invoice": "$response.body#/items/0/payment_code"]),
        OpenAPILink(.get, aSchool + "/invoices", "GetFirstInvoiceNotice", to: .get, invoice + "/notice",
                    ["school": school, "invoice": "$response.body#/items/0/payment_code"]),
        OpenAPILink(.get, aSchool + "/invoices", "GetFirstInvoiceStudent", to: .get, student,
                    ["school": school, "student": "$response.body#/items/0/student_code"]),
    ]

    static let paymentLinks: [OpenAPILink] = [
        OpenAPILink(.post, aSchool + "/cash-payments", "GetReceipt", to: .get, receipt,
                    ["school": school, "receipt": "$response.body#/receipt_ids/0"]),
        OpenAPILink(.post, aSchool + "/cash-payments", "GetReceiptPage", to: .get, receipt + "/page",
                    ["school": school, "receipt": "$response.body#/receipt_ids/0"]),
    ]

    static let runLinks: [OpenAPILink] = [
        OpenAPILink(.post, aSchool + "/reconciliations", "GetCreatedRun", to: .get, run,
                    ["school": school, "run": "$response.body#/run_id"]),
        OpenAPILink(.post, aSchool + "/reconciliations", "GetCreatedRunReport", to: .get, run + "/report",
                    ["school": school, "run": "$response.body#/run_id"]),
        OpenAPILink(.get, aSchool + "/reconciliations", "GetFirstRun", to: .get, run,
                    ["school": school, "run": "$response.body#/items/0/run_id"]),
    ]

    static let suspenseLinks: [OpenAPILink] = [
        OpenAPILink(.get, aSchool + "/suspense", "ApplyFirstTransaction", to: .post, transaction + "/apply",
                    ["school": school, "transaction": "$response.body#/items/0/transaction_id"]),
        OpenAPILink(.get, aSchool + "/suspense", "RefundFirstTransaction", to: .post, transaction + "/refund",
                    ["school": school, "transaction": "$response.body#/items/0/transaction_id"]),
        OpenAPILink(.get, aSchool + "/suspense", "MarkFirstTransactionNotTuition", to: .post, transaction + "/not-tuition",
                    ["school": school, "transaction": "$response.body#/items/0/transaction_id"]),
    ]

    /// Rows made by rule rather than by hand: the school listing links to every operation whose only path
    /// parameter is `{school}`, so a new school route is reachable from it without a row of its own.
    static func schoolListingLinks(_ specs: [APIRouteSpec]) -> [OpenAPILink] {
        specs.filter { $0.pathParameters == ["school"] && $0.template != aSchool }.map { target in
            OpenAPILink(.get, schools, "School_" + OpenAPIDocument.operationID(target), to: target.method, target.template,
                        ["school": "$response.body#/items/0/code"])
        }
    }

    /// The `links` object of the success response of `spec`'s operation, keyed by link name; nil without links.
    static func links(from spec: APIRouteSpec, among specs: [APIRouteSpec]) -> [String: Any]? {
        let rows = (all + schoolListingLinks(specs)).filter { $0.from.method == spec.method && $0.from.template == spec.template }
        guard !rows.isEmpty else { return nil }
        var links: [String: Any] = [:]
        for row in rows {
            links[row.name] = ["operationId": OpenAPIDocument.operationID(row.to.method, row.to.template), "parameters": row.parameters]
        }
        return links
    }
}
