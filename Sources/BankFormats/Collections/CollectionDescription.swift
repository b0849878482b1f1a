import Core
import Foundation

/// What a bank collection request asks for. Each provider names the operations on its own paths
/// (`/v1/collect/{provider}/{path}`): ours are `inquiry`, `payments`, `reversals`; a bank-style
/// layout may call them `getbill`, `paybill`, `reversebill` and host a `token` endpoint.
public enum CollectionOperation: String, Sendable, CaseIterable, Codable {
    case token, inquiry, payment, reversal
}

/// Every reply a collection request can get; a provider's description maps each to its HTTP status
/// and its own reply code (`"ok"`, or a bank's numeric `"000"`, `"011"`...).
public enum CollectionOutcome: String, Sendable, CaseIterable, Codable {
    /// Done (an inquiry answered, a notice recorded, a reversal made), or a retry of one already done.
    case ok
    /// No pupil or payment code like this in the connection's school.
    case notFound
    /// The pupil exists but owes nothing now (closed items are never shown).
    case noOpenItems
    /// A reversal of a transaction id never recorded.
    case unknownTransaction
    /// A reversal after the connection's cut-off.
    case cutoffPassed
    /// A reversal that would take back family credit already spent.
    case cannotReverse
    /// Signature, checksum, token or Basic credentials do not verify.
    case forged
    /// The request time is outside the tolerance (±300 s by default).
    case stale
    /// The nonce was seen before within the tolerance window.
    case replayed
    /// The body is not what the description requires (missing, repeated, too long or badly typed field).
    case malformed
    /// No active collection connection for this merchant / service code.
    case unknownMerchant
    /// The database could not record or answer: the bank retries.
    case unavailable
}

/// One reply of a provider: HTTP status, reply code and message.
public struct CollectionReply: Sendable, Codable, Equatable {
    public let status: Int
    public let code: String
    public let message: String
}

/// How a provider authenticates its requests.
public enum CollectionAuthentication: Sendable, Equatable {
    /// Our contract: `Header: t=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256>` over
    /// `"<t>.<nonce>.<operation path>.<raw body>"`.
    case timestampedHMAC(header: String, toleranceSeconds: Int64)
    /// The common Vietnamese bank style: `Authorization: Bearer <token>` from our token endpoint
    /// (HTTP Basic with the merchant code and the secret), plus a checksum field
    /// `hex(SHA-256(secret + sep + field1 + sep + field2 ...))` over stated fields, with the nonce and
    /// the request time as body fields.
    case bearerChecksum(BearerChecksum)

    public struct BearerChecksum: Sendable, Equatable, Codable {
        public let tokenSeconds: Int64
        public let toleranceSeconds: Int64
        public let checksumField: String
        public let separator: String
        public let nonceField: String
        public let timestampField: String
        /// Per operation, the request fields the checksum covers, in order.
        public let checksumFields: [String: [String]]
    }
}

/// The end-of-day file's layout: delimited lines with a header line, or (when `positions` is given)
/// fixed-width records where each column sits at a stated byte position.
public struct CollectionFileLayout: Sendable, Equatable, Codable {
    /// The delimited file's separator; for a fixed-width file, the separator of the summary file sent back.
    public let delimiter: String
    /// The column names, in order. Delimited: the file must carry exactly this header line.
    /// Fixed width: the records' columns, each with a position in `positions`.
    public let columns: [String]
    /// Which column holds what (logical names: transactionID, paidAt, customerCode, amount).
    public let fields: [String: String]
    public let timeFormat: String
    /// Fixed width only: column → where it sits in each record (nil: the file is delimited).
    public let positions: [String: CollectionFieldPosition]?
    /// Fixed width only: leading lines that are not payment records (a bank's header record), skipped unread.
    public let skipLines: Int?

    public init(delimiter: String, columns: [String], fields: [String: String], timeFormat: String,
                positions: [String: CollectionFieldPosition]? = nil, skipLines: Int? = nil) {
        self.delimiter = delimiter
        self.columns = columns
        self.fields = fields
        self.timeFormat = timeFormat
        self.positions = positions
        self.skipLines = skipLines
    }

    public var isFixedWidth: Bool { positions != nil }
}

/// Where a fixed-width column sits: `start` is the 1-based byte position, `length` its width in bytes
/// (banks number columns from 1 in their specifications, so the data reads like the bank's document).
public struct CollectionFieldPosition: Sendable, Equatable, Codable {
    public let start: Int
    public let length: Int

    public init(start: Int, length: Int) {
        self.start = start
        self.length = length
    }

    /// The byte offsets (0-based, end exclusive) within a record.
    public var range: Range<Int> { (start - 1)..<(start - 1 + length) }
}

/// A collection provider's description (`bank-formats/collections/<provider>.json`): its
/// authentication, operation paths, field names, reply codes and end-of-day file layout.
public struct CollectionProviderDescription: Sendable {
    public let provider: String
    public let name: String
    public let authentication: CollectionAuthentication
    /// The request field naming the merchant (service) code, which names the connection and the school.
    public let merchantField: String
    /// Operation → the last path segment it is served on.
    public let paths: [CollectionOperation: String]
    /// Logical request field → the provider's field name.
    public let requestFields: [String: String]
    /// Logical reply field → the provider's field name.
    public let replyFields: [String: String]
    public let replies: [CollectionOutcome: CollectionReply]
    public let timeFormat: CallbackTimeFormat
    public let file: CollectionFileLayout

    /// The connection's provider name in `bank_connections`: collection providers live beside
    /// callback providers there, so they are prefixed (`collect-tuition`).
    public var connectionProvider: String { "collect-" + provider }

    public func operation(path: String) -> CollectionOperation? {
        paths.first { $0.value == path }?.key
    }

    public func reply(_ outcome: CollectionOutcome) -> CollectionReply { replies[outcome]! }

    public func requestField(_ logical: String) -> String { requestFields[logical] ?? logical }
    public func replyField(_ logical: String) -> String { replyFields[logical] ?? logical }
}
