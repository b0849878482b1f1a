import Core
import Crypto
import Foundation

/// The inquiry id a bank quotes back in its payment notice: what was shown (pupil, items and their
/// amounts) and until when, under a MAC keyed by the connection's secret. Stateless, so answering an
/// inquiry writes nothing. A notice quoting an expired inquiry is still applied (the bank already
/// took the money); one whose MAC does not verify is treated as naming nothing (suspense).
public struct CollectionInquiryToken: Sendable, Equatable {
    public let schoolID: Int64
    public let studentID: Int64
    public let expiresAt: Int64
    public let items: [Item]

    public struct Item: Sendable, Equatable {
        public let invoiceID: Int64
        public let amount: Int64
        public init(invoiceID: Int64, amount: Int64) {
            self.invoiceID = invoiceID
            self.amount = amount
        }
    }

    public static let validitySeconds: Int64 = 15 * 60
    static let macHexCharacters = 32

    public init(schoolID: Int64, studentID: Int64, expiresAt: Int64, items: [Item]) {
        self.schoolID = schoolID
        self.studentID = studentID
        self.expiresAt = expiresAt
        self.items = items
    }

    /// `q1.<school>.<student>.<expiry>.<invoice>-<amount>~...<.mac>`
    public func encoded(secret: CallbackSecret) -> String {
        let payload = payloadText
        return payload + "." + Self.mac(payload, secret: secret)
    }

    var payloadText: String {
        // Appended into one string (every inquiry answer builds one): no per-item strings joined.
        var text = "q1."
        text.reserveCapacity(40 + 24 * items.count)
        text += String(schoolID)
        text += "."
        text += String(studentID)
        text += "."
        text += String(expiresAt)
        text += "."
        for (index, item) in items.enumerated() {
            if index > 0 { text += "~" }
            text += String(item.invoiceID)
            text += "-"
            text += String(item.amount)
        }
        return text
    }

    static func mac(_ payload: String, secret: CallbackSecret) -> String {
        var message = Array("collect-inquiry|".utf8)
        message.append(contentsOf: payload.utf8)
        return Hex.encode(HMACDigest.sha256(key: secret.bytes, message: message).prefix(macHexCharacters / 2))
    }

    /// The token when its MAC verifies under one of `secrets`; nil otherwise.
    public static func decode(_ text: String, secrets: [CallbackSecret]) -> CollectionInquiryToken? {
        guard text.utf8.count <= CollectionLimits.inquiryIDBytesMax, let dot = text.lastIndex(of: ".") else { return nil }
        let payload = String(text[..<dot]), received = Array(text[text.index(after: dot)...].utf8)
        var matched = false
        for secret in secrets { matched = ConstantTime.equal(Array(mac(payload, secret: secret).utf8), received) || matched }
        guard matched else { return nil }
        let parts = payload.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "q1", let school = Int64(parts[1]), let student = Int64(parts[2]), let expiry = Int64(parts[3]) else {
            return nil
        }
        var items: [Item] = []
        for item in parts[4].split(separator: "~") {
            let pair = item.split(separator: "-")
            guard pair.count == 2, let invoice = Int64(pair[0]), let amount = Int64(pair[1]) else { return nil }
            items.append(Item(invoiceID: invoice, amount: amount))
        }
        guard items.count <= CollectionLimits.itemsMax else { return nil }
        return CollectionInquiryToken(schoolID: school, studentID: student, expiresAt: expiry, items: items)
    }
}

/// A reply's fields by logical name; the writer renames them to the provider's names.
public struct CollectionReplyFields: Sendable {
    public var members: [(String, JSONValue)] = []

    public init() {}

    public mutating func set(_ logical: String, _ value: JSONValue) { members.append((logical, value)) }
    public mutating func set(_ logical: String, _ text: String) { members.append((logical, .string(text))) }
    public mutating func set(_ logical: String, _ number: Int64) { members.append((logical, .number(String(number)))) }
}

/// Writes a reply in the provider's layout: code and message first, then the fields.
public enum CollectionReplyWriter {
    public static func body(_ description: CollectionProviderDescription, outcome: CollectionOutcome,
                            fields: CollectionReplyFields = CollectionReplyFields()) -> [UInt8] {
        let reply = description.reply(outcome)
        var members = [JSONMember(key: description.replyField("code"), value: .string(reply.code)),
                       JSONMember(key: description.replyField("message"), value: .string(reply.message))]
        for (logical, value) in fields.members { members.append(JSONMember(key: description.replyField(logical), value: rename(value, description))) }
        return JSONWriter.write(.object(members), options: .compact)
    }

    /// Objects nested in a reply (the items) use the provider's field names too.
    static func rename(_ value: JSONValue, _ description: CollectionProviderDescription) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.map { JSONMember(key: description.replyField($0.key), value: rename($0.value, description)) })
        case .array(let values): return .array(values.map { rename($0, description) })
        default: return value
        }
    }
}
