import BankFormats
import Core
import Crypto
import Foundation
import Ledger
import Postgres

/// A bank or payment intermediary posting callbacks for a school, as recorded (secrets excluded).
public struct BankConnection: Hashable, Sendable, Codable {
    public var id: Int64
    public var schoolID: Int64
    public var provider: String
    public var label: String
    public var receivingAccounts: [String]
    public var parameters: [String: String]
    public var activeSecretCount: Int
    public var createdAt: Date
}

/// Where a callback for (provider, receiving account) belongs, with what verifies it.
public struct CallbackRoute: Sendable {
    public let schoolID: Int64
    public let connectionID: Int64
    public let bankAccountID: Int64
    public let credentials: CallbackCredentials
}

/// Connections: which provider reports which receiving accounts for which school, and the secrets
/// its signatures are made with. Secrets go in once (`add`, `rotate`) and never come back out.
public enum BankConnections {
    public static let secretsActiveMax = 2
    public static let receivingAccountsMax = 20
    public static let secretBytesMin = 8

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownProvider(String)
        case unknownBankAccount(String)
        case accountTaken(String)
        case secretTooShort
        case missingParameter(String)
        case unknownConnection(Int64)
        case invalid(String)

        public var description: String {
            switch self {
            case .unknownProvider(let provider): return "no callback description for provider '\(provider)' in bank-formats/callbacks"
            case .unknownBankAccount(let account): return "bank account \(account) is not one of the school's bank accounts"
            case .accountTaken(let account): return "receiving account \(account) is already routed for this provider"
            case .secretTooShort: return "a secret needs at least \(BankConnections.secretBytesMin) bytes"
            case .missingParameter(let name): return "this provider's signature needs the parameter '\(name)'"
            case .unknownConnection(let id): return "no active connection \(id) in this school"
            case .invalid(let problem): return problem
            }
        }
    }

    /// Adds a connection. `accounts` maps each receiving account (or merchant code) reported by the
    /// provider to the school bank account number money on it is booked in.
    public static func add(schoolID: Int64, provider description: CallbackProviderDescription, label: String,
                           accounts: [(receiving: String, bankAccountNumber: String)], secret: String,
                           parameters: [String: String], on connection: PostgresConnection) throws -> BankConnection {
        try add(schoolID: schoolID, provider: description.provider, requiredParameters: description.signature.requiredConnectionParameters,
                label: label, accounts: accounts, secret: secret, parameters: parameters, on: connection)
    }

    /// Adds a connection of any kind: callbacks name their provider, bank collection connections
    /// `collect-<provider>` (each receiving account is then the bank's service code for the school).
    public static func add(schoolID: Int64, provider: String, requiredParameters: [String], label: String,
                           accounts: [(receiving: String, bankAccountNumber: String)], secret: String,
                           parameters: [String: String], on connection: PostgresConnection) throws -> BankConnection {
        guard !accounts.isEmpty, accounts.count <= receivingAccountsMax else {
            throw Failure.invalid("a connection reports on 1 to \(receivingAccountsMax) receiving accounts")
        }
        guard secret.utf8.count >= secretBytesMin, CallbackSecret(secret) != nil else { throw Failure.secretTooShort }
        for name in requiredParameters where parameters[name] == nil {
            throw Failure.missingParameter(name)
        }
        guard (1...200).contains(label.count) else { throw Failure.invalid("label: 1 to 200 characters") }
        let banks = try Schools.bankAccounts(schoolID: schoolID, on: connection)
        let row = try connection.query("""
            INSERT INTO bank_connections (school_id, provider, label, parameters)
            VALUES (\(schoolID), \(provider), \(label), \(PostgresJSON(try jsonObject(parameters))))
            RETURNING connection_id, created_at
            """).singleRow()!
        let (id, createdAt) = try row.decode((Int64, Date).self)
        for account in accounts {
            guard let bank = banks.first(where: { $0.accountNumber == account.bankAccountNumber }) else {
                throw Failure.unknownBankAccount(account.bankAccountNumber)
            }
            let inserted = try connection.query("""
                INSERT INTO bank_connection_accounts (school_id, connection_id, provider, receiving_account, bank_account_id)
                VALUES (\(schoolID), \(id), \(provider), \(account.receiving), \(bank.id))
                ON CONFLICT (provider, receiving_account) DO NOTHING
                """)
            guard inserted.affectedRows == 1 else { throw Failure.accountTaken(account.receiving) }
        }
        try insertSecret(schoolID: schoolID, connectionID: id, secret: secret, on: connection)
        return BankConnection(id: id, schoolID: schoolID, provider: provider, label: label,
                              receivingAccounts: accounts.map(\.receiving), parameters: parameters, activeSecretCount: 1, createdAt: createdAt)
    }

    /// Adds a new secret; the older active one stays valid until `retireOld` (two during a rotation).
    /// With `retireOld`, every secret but the new one is retired at once.
    public static func rotate(schoolID: Int64, connectionID: Int64, secret: String, retireOld: Bool,
                              on connection: PostgresConnection) throws {
        guard secret.utf8.count >= secretBytesMin, CallbackSecret(secret) != nil else { throw Failure.secretTooShort }
        try requireActive(schoolID: schoolID, connectionID: connectionID, on: connection)
        if retireOld {
            try connection.query("""
                UPDATE bank_connection_secrets SET retired_at = now()
                WHERE school_id = \(schoolID) AND connection_id = \(connectionID) AND retired_at IS NULL
                """)
        } else {
            // Keep at most two active: the newest existing one and the new one.
            try connection.query("""
                UPDATE bank_connection_secrets SET retired_at = now()
                WHERE school_id = \(schoolID) AND connection_id = \(connectionID) AND retired_at IS NULL
                  AND secret_id <> (SELECT max(secret_id) FROM bank_connection_secrets
                                    WHERE school_id = \(schoolID) AND connection_id = \(connectionID) AND retired_at IS NULL)
                """)
        }
        try insertSecret(schoolID: schoolID, connectionID: connectionID, secret: secret, on: connection)
    }

    /// Removes a connection: its accounts stop routing, its secrets are retired; history stays.
    public static func remove(schoolID: Int64, connectionID: Int64, on connection: PostgresConnection) throws {
        try requireActive(schoolID: schoolID, connectionID: connectionID, on: connection)
        try connection.query("UPDATE bank_connections SET removed_at = now() WHERE school_id = \(schoolID) AND connection_id = \(connectionID)")
        try connection.query("""
            UPDATE bank_connection_secrets SET retired_at = now()
            WHERE school_id = \(schoolID) AND connection_id = \(connectionID) AND retired_at IS NULL
            """)
        try connection.query("DELETE FROM bank_connection_accounts WHERE school_id = \(schoolID) AND connection_id = \(connectionID)")
    }

    public static func list(schoolID: Int64, on connection: PostgresConnection) throws -> [BankConnection] {
        try connection.query("""
            SELECT c.connection_id, c.provider, c.label, c.parameters::text, c.created_at,
                   coalesce((SELECT array_agg(receiving_account ORDER BY receiving_account) FROM bank_connection_accounts a
                             WHERE a.school_id = c.school_id AND a.connection_id = c.connection_id), '{}'),
                   (SELECT count(*) FROM bank_connection_secrets s
                    WHERE s.school_id = c.school_id AND s.connection_id = c.connection_id AND s.retired_at IS NULL)
            FROM bank_connections c WHERE c.school_id = \(schoolID) AND c.removed_at IS NULL ORDER BY c.connection_id
            """).map { row in
            let (id, provider, label, parameters, createdAt, accounts, secrets) =
                try row.decode((Int64, String, String, String, Date, PostgresTextArray, Int64).self)
            return BankConnection(id: id, schoolID: schoolID, provider: provider, label: label, receivingAccounts: accounts.values,
                                  parameters: try decodeParameters(parameters), activeSecretCount: Int(secrets), createdAt: createdAt)
        }
    }

    /// The route of a callback: the school and connection that own (provider, receiving account),
    /// with the active secrets. nil when the account is not routed for that provider.
    public static func route(provider: String, receivingAccount: String, on connection: PostgresConnection) throws -> CallbackRoute? {
        guard let row = try connection.query("""
            SELECT a.school_id, a.connection_id, a.bank_account_id, c.parameters::text,
                   coalesce((SELECT array_agg(encode(s.secret, 'hex') ORDER BY s.secret_id DESC) FROM bank_connection_secrets s
                             WHERE s.school_id = a.school_id AND s.connection_id = a.connection_id AND s.retired_at IS NULL), '{}')
            FROM bank_connection_accounts a
            JOIN bank_connections c ON c.school_id = a.school_id AND c.connection_id = a.connection_id AND c.removed_at IS NULL
            WHERE a.provider = \(provider) AND a.receiving_account = \(receivingAccount)
            """).singleRow() else { return nil }
        let (schoolID, connectionID, bankAccountID, parameters, secrets) = try row.decode((Int64, Int64, Int64, String, PostgresTextArray).self)
        let keys = try secrets.values.prefix(secretsActiveMax).compactMap { CallbackSecret(bytes: try Hex.decode($0)) }
        return CallbackRoute(schoolID: schoolID, connectionID: connectionID, bankAccountID: bankAccountID,
                             credentials: CallbackCredentials(secrets: keys, parameters: try decodeParameters(parameters)))
    }

    private static func insertSecret(schoolID: Int64, connectionID: Int64, secret: String, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO bank_connection_secrets (school_id, connection_id, secret) VALUES (\(schoolID), \(connectionID), \(Array(secret.utf8)))
            """)
    }

    private static func requireActive(schoolID: Int64, connectionID: Int64, on connection: PostgresConnection) throws {
        guard try connection.query("""
            SELECT 1 FROM bank_connections WHERE school_id = \(schoolID) AND connection_id = \(connectionID) AND removed_at IS NULL
            FOR UPDATE
            """).singleRow() != nil else { throw Failure.unknownConnection(connectionID) }
    }

    static func jsonObject(_ parameters: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys]), as: UTF8.self)
    }

    static func decodeParameters(_ text: String) throws -> [String: String] {
        // Most connections have none, and this runs once per callback: no Foundation parse for `{}`.
        guard text != "{}" else { return [:] }
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
    }
}
