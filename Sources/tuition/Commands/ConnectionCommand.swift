import BankFormats
import Core
import Foundation
import Ledger
import Payments
import Postgres

enum ConnectionCommand {
    static let usage = """
        Usage: tuition connection add --school CODE --provider P --account RECEIVING[=BANK_ACCOUNT] ...
                                      (--secret-env VAR | --secret-stdin) [--param NAME=VALUE ...] [--label TEXT]
                                      [--kind callback|collection]
               tuition connection list --school CODE
               tuition connection rotate --school CODE --id N (--secret-env VAR | --secret-stdin) [--retire-old]
               tuition connection remove --school CODE --id N

        Bank connections: which provider (tuition, sepay, sepay-hmac, casso, payos, vnpay, momo) posts
        callbacks for which receiving accounts (or merchant codes) of a school, and the secret its
        signatures are made with. RECEIVING defaults to being the school's bank account number; give
        =BANK_ACCOUNT when the provider reports another identifier (a VNPay TmnCode, a MoMo partnerCode).
        Secrets are read from an environment variable or standard input, never from the command line,
        and are never printed. A rotation keeps the previous secret valid until --retire-old.

        --kind collection adds a bank collection connection (provider tuition or vnbank of
        bank-formats/collections, listed as collect-<provider>): RECEIVING is the service code the bank
        sends for this school, BANK_ACCOUNT the school account its money lands on. Optional
        --param reversalCutoffDays=N lets the bank reverse N days after the business day (default 0).
        --param clientCertificateSHA256=FINGERPRINT binds the connection to the bank's TLS client certificate
        (as `openssl x509 -noout -fingerprint -sha256` prints it): only requests over a TLS session that
        presented that certificate are accepted (the server needs --tls-client-ca trusting its issuer).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        let schoolCode = try reader.requiredOption("--school")
        switch action {
        case "add": try add(&reader, schoolCode: schoolCode)
        case "list":
            try reader.finish()
            try withSchool(schoolCode) { school, connection in
                for item in try BankConnections.list(schoolID: school.id, on: connection) {
                    print("\(item.id)\t\(item.provider)\t\(item.receivingAccounts.joined(separator: ","))\t\(item.activeSecretCount) active secret(s)\t\(item.label)")
                }
            }
        case "rotate":
            let id = try connectionID(&reader)
            let secret = try readSecret(&reader)
            let retireOld = reader.flag("--retire-old")
            try reader.finish()
            try withSchool(schoolCode) { school, connection in
                try BankConnections.rotate(schoolID: school.id, connectionID: id, secret: secret, retireOld: retireOld, on: connection)
                print("connection \(id): new secret active" + (retireOld ? ", older secrets retired" : "; the previous one stays valid until --retire-old"))
            }
        case "remove":
            let id = try connectionID(&reader)
            try reader.finish()
            try withSchool(schoolCode) { school, connection in
                try BankConnections.remove(schoolID: school.id, connectionID: id, on: connection)
                print("connection \(id) removed")
            }
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }

    static func add(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let provider = try reader.requiredOption("--provider")
        let accounts = try reader.repeatedOption("--account").map { text -> (String, String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count == 2 ? parts[1] : parts[0])
        }
        guard !accounts.isEmpty else { throw UsageError(message: "missing --account", usage: usage) }
        var parameters: [String: String] = [:]
        for pair in try reader.repeatedOption("--param") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw UsageError(message: "--param is NAME=VALUE", usage: usage) }
            parameters[parts[0]] = parts[1]
        }
        let kind = try reader.option("--kind") ?? "callback"
        let label = try reader.option("--label") ?? "\(provider) \(kind == "collection" ? "collection" : "callbacks")"
        let secret = try readSecret(&reader)
        try reader.finish()
        switch kind {
        case "callback": break
        case "collection": return try addCollection(schoolCode: schoolCode, provider: provider, label: label, accounts: accounts,
                                                   secret: secret, parameters: parameters)
        default: throw UsageError(message: "--kind is callback or collection", usage: usage)
        }
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: try ProjectLayout.locate().bankFormats + "/callbacks"))
        guard let description = catalog.description(for: provider) else {
            throw CommandFailure(message: "unknown provider '\(provider)'; known: \(catalog.providers.joined(separator: ", "))")
        }
        try withSchool(schoolCode) { school, connection in
            let created = try BankConnections.add(schoolID: school.id, provider: description, label: label,
                                                  accounts: accounts.map { (receiving: $0.0, bankAccountNumber: $0.1) },
                                                  secret: secret, parameters: parameters, on: connection)
            print("connection \(created.id) added: \(provider) for \(created.receivingAccounts.joined(separator: ", "))")
        }
    }

    static func addCollection(schoolCode: String, provider: String, label: String, accounts: [(String, String)], secret: String,
                              parameters: [String: String]) throws {
        let catalog = try CollectionCatalog.load(directory: URL(fileURLWithPath: try ProjectLayout.locate().bankFormats + "/collections"))
        guard let description = catalog.description(for: provider) else {
            throw CommandFailure(message: "unknown collection provider '\(provider)'; known: \(catalog.providers.joined(separator: ", "))")
        }
        let stored: [String: String]
        do { stored = try CollectionClientCertificates.validated(parameters) } catch { throw CommandFailure(message: error.description) }
        try withSchool(schoolCode) { school, connection in
            let created = try BankConnections.add(schoolID: school.id, provider: description.connectionProvider, requiredParameters: [],
                                                  label: label, accounts: accounts.map { (receiving: $0.0, bankAccountNumber: $0.1) },
                                                  secret: secret, parameters: stored, on: connection)
            print("connection \(created.id) added: \(created.provider) for service code(s) \(created.receivingAccounts.joined(separator: ", "))")
        }
    }

    static func connectionID(_ reader: inout ArgumentReader) throws -> Int64 {
        guard let text = try reader.option("--id"), let id = Int64(text) else { throw UsageError(message: "missing or bad --id", usage: usage) }
        return id
    }

    static func readSecret(_ reader: inout ArgumentReader) throws -> String {
        if let variable = try reader.option("--secret-env") {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw CommandFailure(message: "environment variable \(variable) is not set")
            }
            return value
        }
        if reader.flag("--secret-stdin") {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CommandFailure(message: "no secret on standard input") }
            return line
        }
        throw UsageError(message: "give the secret with --secret-env VAR or --secret-stdin", usage: usage)
    }

    /// Runs `body` in a transaction with the school named by `code`.
    static func withSchool(_ code: String, _ body: (School, PostgresConnection) throws -> Void) throws {
        let session = try BillingSession.open(schoolCode: code)
        defer { session.pool.close() }
        do {
            try session.transaction { connection in try body(session.school, connection) }
        } catch let error as BankConnections.Failure {
            throw CommandFailure(message: error.description)
        }
    }
}
