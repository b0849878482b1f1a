/// An error from the database layer.
///
/// `description` is safe to show to anyone: it names the kind of failure and the SQLSTATE,
/// never SQL text, parameter values or the server's message (which may quote values).
/// `debugDescription` carries the server's message for logs.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// Could not establish a connection.
        case connectionFailed
        /// The connection broke while in use (server restart, network).
        case connectionLost
        /// The server refused a statement; see `sqlState`.
        case server
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// No pooled connection became free within the checkout timeout.
        case poolTimeout
        /// The pool was closed.
        case poolClosed
        /// The connection went away while COMMIT was in flight: the outcome is unknown.
        case commitOutcomeUnknown
        /// libpq reported something we did not expect (a programming or protocol error).
        case unexpected
        /// The configuration (URL, options) is invalid.
        case configuration
    }

    public var code: Code
    public var sqlState: SQLState?
    /// The server's primary message, for logs only.
    public var serverMessage: String?
    /// The server's detail line, for logs only.
    public var serverDetail: String?
    /// The violated constraint, when the server names one (safe to use for decisions).
    public var constraintName: String?
    /// What went wrong in words that are safe to show (column and type names, never values).
    public var context: String?
    /// Which step of a transaction failed, when it happened in a transaction.
    public var transactionStep: TransactionStep?

    public enum TransactionStep: String, Sendable { case begin, body, commit, rollback }

    public init(code: Code, sqlState: SQLState? = nil, serverMessage: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.serverMessage = serverMessage
    }

    public var description: String {
        var text = "database error: \(code.rawValue)"
        if let sqlState { text += " (SQLSTATE \(sqlState.rawValue))" }
        if let context { text += ": \(context)" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if let transactionStep { text += " during \(transactionStep.rawValue)" }
        if let serverMessage { text += ": \(serverMessage)" }
        if let serverDetail { text += " — \(serverDetail)" }
        if let constraintName { text += " [constraint \(constraintName)]" }
        return text
    }

    /// True for errors after which the whole transaction may be run again:
    /// serialization failures and deadlocks.
    public var isRetryableConflict: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }

    /// True when the connection is unusable and must be replaced.
    public var isConnectionBroken: Bool {
        switch code {
        case .connectionLost, .connectionFailed, .commitOutcomeUnknown: return true
        case .server: return sqlState?.isConnectionClass ?? false
        default: return false
        }
    }
}

/// A five-character SQLSTATE code.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let crashShutdown = SQLState(rawValue: "57P02")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let inFailedTransaction = SQLState(rawValue: "25P02")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")

    /// Class 08 (connection exception) and the 57P0x shutdown codes.
    public var isConnectionClass: Bool {
        rawValue.hasPrefix("08") || self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow
    }

    /// Class 23: integrity constraint violations.
    public var isIntegrityViolation: Bool { rawValue.hasPrefix("23") }
}

/// An error of a layer above that may wrap the database error behind it (a ledger refusal carrying a
/// deadlock), so `PostgresPool.transaction` retries a conflict whichever layer reported it.
public protocol PostgresErrorCarrying: Error {
    var underlyingPostgresError: PostgresError? { get }
}

extension PostgresError: PostgresErrorCarrying {
    public var underlyingPostgresError: PostgresError? { self }
}
