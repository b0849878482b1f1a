import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres

/// Prepares bench/collection.sh: the callbacks bench's school (students, open invoices), a
/// `collect-tuition` connection, and two wrk Lua scripts of requests signed now with unique nonces:
/// inquiries by pupil code, and payment notices with unique transaction ids.
enum CollectionBenchSetup {
    static let requestsMax = 400_000

    static func run(_ reader: inout ArgumentReader) throws {
        let students = try reader.option("--students") { try parseInt($0, 1...CallbackBenchSetup.studentsMax) } ?? 2_000
        let requests = try reader.option("--requests") { try parseInt($0, 1...requestsMax) } ?? 100_000
        let inquiriesOut = try reader.requiredOption("--inquiries-out")
        let paymentsOut = try reader.requiredOption("--payments-out")
        try reader.finish()
        let (database, pool, layout) = try DatabaseAccess.migratedPool()
        defer { pool.close() }
        let run = UInt32.random(in: 0...UInt32.max)
        let account = String(format: "78%08d", run % 100_000_000)
        let service = "BENCH-SVC-\(run)"
        let secret = "bench-collection-secret-\(run)"
        try pool.transaction(isolation: .readCommitted) { connection in
            _ = try CallbackBenchSetup.seed(connection: connection, run: run, account: account, secret: secret, students: students, months: 1,
                                            layout: layout)
            let school = try Schools.find(code: "BENCH-CB-\(run)", on: connection)!
            _ = try BankConnections.add(schoolID: school.id, provider: "collect-tuition", requiredParameters: [], label: "bench collection",
                                        accounts: [(receiving: service, bankAccountNumber: account)], secret: secret, parameters: [:], on: connection)
        }
        // As the owner, as `callbacks-setup` does: the application role's ANALYZE skipped the tables it
        // does not own, and the notices were planned without statistics — the ledger's history read
        // scanned every journal entry of the school (0.9 ms a call instead of 0.04 ms).
        let owner = try database.connectAsOwner()
        defer { owner.close() }
        try CallbackBenchSetup.analyzeAsAutovacuumWould(owner)
        let key = CallbackSecret(secret)!
        let now = Int64(Date().timeIntervalSince1970)
        try script(requests: requests, path: "inquiry", now: now, secret: key, to: inquiriesOut) { index in
            #"{"service_code":"\#(service)","customer_code":"HS\#(index % students)"}"#
        }
        try script(requests: requests, path: "payments", now: now, secret: key, to: paymentsOut) { index in
            #"{"service_code":"\#(service)","transaction_id":"BENCH-COL-\#(run)-\#(index)","customer_code":"HS\#(index % students)","amount":100000,"paid_at":"2026-09-15T10:21:07+07:00"}"#
        }
        print(#"{"school":"BENCH-CB-\#(run)","service":"\#(service)","students":\#(students),"requests":\#(requests)}"#)
    }

    /// A wrk script cycling through `requests` bodies, each signed once with its own nonce.
    static func script(requests: Int, path: String, now: Int64, secret: CallbackSecret, to file: String, body: (Int) -> String) throws {
        try WrkRequestScript.write(to: file, comment: "tuition bench collection-setup: \(requests) signed \(path) requests",
                                   path: "/v1/collect/tuition/\(path)", signatureHeader: "Collect-Signature", requests: requests) { index in
            let text = body(index)
            return (text, CollectionSigning.header(secret: secret, timestamp: now, nonce: "bench-\(path)-\(index)", path: path, body: Array(text.utf8)))
        }
    }
}
