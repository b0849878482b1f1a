/// What became of a callback, as far as the sender needs to know.
public enum CallbackOutcome: String, CaseIterable, Equatable, Sendable {
    /// Recorded durably (reply only after the commit).
    case accepted
    /// Already recorded earlier: the sender is retrying.
    case duplicate
    case refusedSignature
    /// Unparseable, or a field missing or wrong.
    case malformed
    /// The receiving account or merchant code is not one of our connections.
    case unknownAccount
    /// The amount cannot be taken (not whole đồng, out of range).
    case invalidAmount
    /// We could not record it now (database down, overload): the sender should retry.
    case unavailable
}

/// The HTTP reply for an outcome, exactly as the sender expects it.
public struct CallbackReply: Equatable, Sendable {
    public let status: Int
    /// `application/json` when there is a body, `nil` for none (MoMo's 204).
    public let contentType: String?
    public let body: [UInt8]

    public init(status: Int, contentType: String?, body: [UInt8]) {
        precondition((200...599).contains(status), "HTTP status \(status) out of range")
        precondition((contentType == nil) == body.isEmpty, "a reply has a content type exactly when it has a body")
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// One reply per outcome, from the provider description; complete by construction.
public struct CallbackReplyTable: Equatable, Sendable {
    private let replies: [CallbackOutcome: CallbackReply]

    init(_ replies: [CallbackOutcome: CallbackReply]) {
        precondition(CallbackOutcome.allCases.allSatisfy { replies[$0] != nil }, "reply table is incomplete")
        self.replies = replies
    }

    public func reply(for outcome: CallbackOutcome) -> CallbackReply {
        guard let reply = replies[outcome] else { preconditionFailure("reply table is complete by construction") }
        return reply
    }
}
