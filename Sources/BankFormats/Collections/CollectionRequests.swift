import Core
import Foundation

/// Sizes a collection request may have; anything longer is refused at the door as malformed (the
/// provider's error code), never passed to the database where it would fail as a 5xx.
public enum CollectionLimits {
    public static let bodyBytesMax = 16 * 1024
    public static let merchantBytesMax = 40
    public static let customerCodeBytesMax = 40
    public static let transactionIDBytesMax = 64
    public static let inquiryIDBytesMax = 512
    public static let itemIDBytesMax = 20
    public static let itemsMax = 24
    public static let reasonBytesMax = 200
    public static let nonceBytesMax = 64
    public static let amountDigitsMax = 16
    static let json = JSONLimits(bytesMax: bodyBytesMax, depthMax: 4, valueCountMax: 128, stringBytesMax: inquiryIDBytesMax,
                                 numberBytesMax: 32)
}

/// A field of a collection request that is missing, repeated, too long or of the wrong kind.
public struct CollectionInputError: Error, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}

/// A request body parsed and bounded, before anything in it is trusted.
public struct CollectionEnvelope: Sendable {
    public let merchant: String
    public let json: JSONValue
    public let body: [UInt8]

    public init(description: CollectionProviderDescription, body: [UInt8]) throws(CollectionInputError) {
        guard body.count <= CollectionLimits.bodyBytesMax else {
            throw CollectionInputError(field: "", problem: "body of \(body.count) bytes exceeds \(CollectionLimits.bodyBytesMax)")
        }
        do { json = try StrictJSONParser.parse(body, limits: CollectionLimits.json) } catch {
            throw CollectionInputError(field: "", problem: "not a JSON object: \(error)")
        }
        guard case .object = json else { throw CollectionInputError(field: "", problem: "not a JSON object") }
        self.body = body
        let reader = CollectionFieldReader(json: json)
        merchant = try reader.text(description.merchantField, bytesMax: CollectionLimits.merchantBytesMax)!
        guard merchant.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }) else {
            throw CollectionInputError(field: description.merchantField, problem: "letters, digits, '-', '.' or '_' only")
        }
    }
}

/// "What does this pupil owe?"
public struct CollectionInquiryRequest: Sendable, Equatable {
    /// A pupil code or a payment code (the pupil's, or one invoice's).
    public let customerCode: String
}

/// "We took this money for these items."
public struct CollectionPaymentNotice: Sendable, Equatable {
    public let transactionID: String
    public let inquiryID: String?
    /// Item ids (invoice numbers) as the inquiry listed them; empty when the inquiry id names them.
    public let items: [String]
    public let amount: Int64
    public let paidAt: Date
    public let customerCode: String?

    public init(transactionID: String, inquiryID: String?, items: [String], amount: Int64, paidAt: Date, customerCode: String?) {
        self.transactionID = transactionID
        self.inquiryID = inquiryID
        self.items = items
        self.amount = amount
        self.paidAt = paidAt
        self.customerCode = customerCode
    }
}

/// "Undo this payment."
public struct CollectionReversalRequest: Sendable, Equatable {
    public let transactionID: String
    public let reversalID: String
    public let reason: String
}

/// Reads each operation's fields by the provider's names.
public struct CollectionRequestReader {
    public let description: CollectionProviderDescription

    public init(description: CollectionProviderDescription) {
        self.description = description
    }

    public func inquiry(_ envelope: CollectionEnvelope) throws(CollectionInputError) -> CollectionInquiryRequest {
        let reader = CollectionFieldReader(json: envelope.json)
        return CollectionInquiryRequest(customerCode: try reader.text(name("customerCode"), bytesMax: CollectionLimits.customerCodeBytesMax)!)
    }

    public func payment(_ envelope: CollectionEnvelope) throws(CollectionInputError) -> CollectionPaymentNotice {
        let reader = CollectionFieldReader(json: envelope.json)
        let transactionID = try reader.text(name("transactionID"), bytesMax: CollectionLimits.transactionIDBytesMax)!
        let inquiryID = try reader.text(name("inquiryID"), bytesMax: CollectionLimits.inquiryIDBytesMax, optional: true)
        let items = try reader.textList(name("items"), bytesMax: CollectionLimits.itemIDBytesMax, countMax: CollectionLimits.itemsMax)
        let amount = try reader.amount(name("amount"))
        let paidText = try reader.text(name("paidAt"), bytesMax: 40)!
        guard let paidAt = description.timeFormat.instant(paidText) else {
            throw CollectionInputError(field: name("paidAt"), problem: "not a time in the format \(description.timeFormat.name)")
        }
        let customer = try reader.text(name("customerCode"), bytesMax: CollectionLimits.customerCodeBytesMax, optional: true)
        guard inquiryID != nil || !items.isEmpty || customer != nil else {
            throw CollectionInputError(field: name("inquiryID"), problem: "an inquiry id, items or a customer code is required")
        }
        return CollectionPaymentNotice(transactionID: transactionID, inquiryID: inquiryID, items: items, amount: amount, paidAt: paidAt,
                                       customerCode: customer)
    }

    public func reversal(_ envelope: CollectionEnvelope) throws(CollectionInputError) -> CollectionReversalRequest {
        let reader = CollectionFieldReader(json: envelope.json)
        return CollectionReversalRequest(
            transactionID: try reader.text(name("transactionID"), bytesMax: CollectionLimits.transactionIDBytesMax)!,
            reversalID: try reader.text(name("reversalID"), bytesMax: CollectionLimits.transactionIDBytesMax)!,
            reason: try reader.text(name("reason"), bytesMax: CollectionLimits.reasonBytesMax, optional: true) ?? "reversed by the bank")
    }

    func name(_ logical: String) -> String { description.requestField(logical) }
}

/// Top-level fields of a request object: text (strings, or numbers as written), lists, amounts.
struct CollectionFieldReader {
    let json: JSONValue

    /// nil only when `optional` and the field is absent, null or "".
    func text(_ name: String, bytesMax: Int, optional: Bool = false) throws(CollectionInputError) -> String? {
        let value: String
        switch json[name] {
        case nil, .null?: if optional { return nil } else { throw CollectionInputError(field: name, problem: "missing") }
        case .string(let text)?: value = text
        case .number(let text)?: value = text
        case let other?: throw CollectionInputError(field: name, problem: "a string is required, not \(other.kindName)")
        }
        if value.isEmpty {
            if optional { return nil }
            throw CollectionInputError(field: name, problem: "empty")
        }
        guard value.utf8.count <= bytesMax else { throw CollectionInputError(field: name, problem: "longer than \(bytesMax) bytes") }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw CollectionInputError(field: name, problem: "control characters are not allowed")
        }
        return value
    }

    func textList(_ name: String, bytesMax: Int, countMax: Int) throws(CollectionInputError) -> [String] {
        switch json[name] {
        case nil, .null?: return []
        case .array(let values)?:
            guard values.count <= countMax else { throw CollectionInputError(field: name, problem: "more than \(countMax) items") }
            var texts: [String] = []
            for (index, value) in values.enumerated() {
                guard let text = try CollectionFieldReader(json: .object([JSONMember(key: "v", value: value)])).text("v", bytesMax: bytesMax, optional: true)
                else { throw CollectionInputError(field: "\(name)[\(index)]", problem: "empty") }
                texts.append(text)
            }
            guard Set(texts).count == texts.count else { throw CollectionInputError(field: name, problem: "an item is named twice") }
            return texts
        case let other?: throw CollectionInputError(field: name, problem: "a list is required, not \(other.kindName)")
        }
    }

    /// Whole đồng: a JSON integer or a string of digits (banks send both), positive, within the ledger's bound.
    func amount(_ name: String) throws(CollectionInputError) -> Int64 {
        let text: String
        switch json[name] {
        case .number(let value)?: text = value
        case .string(let value)?: text = value
        case nil, .null?: throw CollectionInputError(field: name, problem: "missing")
        case let other?: throw CollectionInputError(field: name, problem: "an integer is required, not \(other.kindName)")
        }
        guard (1...CollectionLimits.amountDigitsMax).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let amount = Int64(text), amount > 0, amount <= Money.absoluteDongMax else {
            throw CollectionInputError(field: name, problem: "whole đồng, positive, at most \(Money.absoluteDongMax), digits only")
        }
        return amount
    }
}
