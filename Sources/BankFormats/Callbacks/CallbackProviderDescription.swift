import Core
import Foundation

/// Everything the service knows about one callback sender, loaded from `bank-formats/callbacks/<provider>.json`.
public struct CallbackProviderDescription: Sendable {
    /// The id in the endpoint path (`/v1/callbacks/{provider}`) and in stored transactions.
    public let provider: String
    public let name: String
    public let transport: CallbackTransport
    public let signature: SignatureScheme
    public let fields: CallbackFieldMapping
    public let replies: CallbackReplyTable
    public let sample: CallbackSample
}

public enum CallbackTransport: String, CaseIterable, Equatable, Sendable {
    /// POST with a JSON object body.
    case jsonPost
    /// GET with every field in the query (VNPay IPN).
    case getQuery

    public var method: String { self == .jsonPost ? "POST" : "GET" }
}

public enum CallbackDirection: String, CaseIterable, Equatable, Sendable {
    /// Money into the receiving account.
    case incoming
    case outgoing
}

/// How the sender's fields become a `NormalizedCallbackTransaction`.
public struct CallbackFieldMapping: Equatable, Sendable {
    /// One path, or several joined by `transactionIDSeparator` (payOS `orderCode:reference`).
    public let transactionID: [CallbackFieldPath]
    public let transactionIDSeparator: String
    public let receivingAccount: CallbackFieldPath
    public let virtualAccount: CallbackFieldPath?
    public let amount: CallbackFieldPath
    /// The sender's integer is this many times the amount in đồng (VNPay: 100); a remainder is refused.
    public let amountDivisor: Int64
    public let direction: DirectionRule
    public let occurredAt: CallbackFieldPath
    public let timeFormat: CallbackTimeFormat
    public let memo: CallbackFieldPath
    public let memoOptional: Bool
    public let payerName: CallbackFieldPath?
    public let payerAccount: CallbackFieldPath?
    public let payerBank: CallbackFieldPath?
    /// All must hold for `succeeded`; an empty list means every callback reports a completed transfer.
    public let success: [SuccessCondition]

    public enum DirectionRule: Equatable, Sendable {
        case constant(CallbackDirection)
        /// A text field whose values map to directions (SePay `transferType`: `in`/`out`).
        case field(CallbackFieldPath, values: [String: CallbackDirection])
        /// Negative amount = outgoing (Casso); the normalised amount is then the magnitude.
        case amountSign
    }

    public struct SuccessCondition: Equatable, Sendable {
        public let path: CallbackFieldPath
        /// A string, number (compared as written) or boolean.
        public let equals: JSONValue
    }

    /// Every path the mapping reads.
    var allPaths: [CallbackFieldPath] {
        var paths = transactionID + [receivingAccount, amount, occurredAt, memo]
        paths += [virtualAccount, payerName, payerAccount, payerBank].compactMap { $0 }
        if case .field(let path, _) = direction { paths.append(path) }
        return paths + success.map(\.path)
    }
}

/// What the normaliser produces: the sender's transaction in our terms. Parsed, not yet trusted:
/// only a request whose signature verdict is `.accepted` may be recorded.
public struct NormalizedCallbackTransaction: Equatable, Sendable {
    public let provider: String
    /// Unique per provider and the idempotency key; composite ids are joined with the description's separator.
    public let providerTransactionID: String
    /// The account number, or the merchant code for gateways (VNPay `vnp_TmnCode`, MoMo `partnerCode`).
    public let receivingAccount: String
    public let virtualAccount: String?
    /// Whole đồng as the sender states it (may be zero or negative; the caller decides).
    public let amount: Int64
    public let direction: CallbackDirection
    public let occurredAt: Date
    /// The day of `occurredAt` in Vietnam (UTC+7).
    public let localDate: CalendarDate
    public let memo: String
    public let payerName: String?
    public let payerAccount: String?
    public let payerBank: String?
    /// The sender's status fields say the payment succeeded.
    public let succeeded: Bool

    public init(
        provider: String, providerTransactionID: String, receivingAccount: String, virtualAccount: String?,
        amount: Int64, direction: CallbackDirection, occurredAt: Date, localDate: CalendarDate, memo: String,
        payerName: String?, payerAccount: String?, payerBank: String?, succeeded: Bool
    ) {
        self.provider = provider
        self.providerTransactionID = providerTransactionID
        self.receivingAccount = receivingAccount
        self.virtualAccount = virtualAccount
        self.amount = amount
        self.direction = direction
        self.occurredAt = occurredAt
        self.localDate = localDate
        self.memo = memo
        self.payerName = payerName
        self.payerAccount = payerAccount
        self.payerBank = payerBank
        self.succeeded = succeeded
    }
}

/// A request that must verify and normalise to `expected`, written in the description and checked at load.
public struct CallbackSample: Sendable {
    public let secret: CallbackSecret
    public let parameters: [String: String]
    /// The injected clock for the sample's timestamp check.
    public let now: Date
    public let request: CallbackRequest
    public let expected: NormalizedCallbackTransaction
}
