import Core
import Foundation

/// Turns a provider's callback into a `NormalizedCallbackTransaction` by applying its description's field mapping.
///
/// Pure parsing: it does not check the signature. Use it to find the receiving account (hence the connection
/// and its secrets), then `SignatureScheme.verify`, and record only what verified.
public struct CallbackNormalizer: Sendable {
    public let provider: CallbackProviderDescription

    public init(description: CallbackProviderDescription) {
        provider = description
    }

    public func normalize(_ request: CallbackRequest) throws(CallbackInputError) -> NormalizedCallbackTransaction {
        let fields = try CallbackFields(request, transport: provider.transport)
        let mapping = provider.fields
        // Read in the order of the description, so the first error reported is the first field at fault.
        let transactionID = try transactionID(fields, mapping)
        let receivingAccount = try fields.requiredText(mapping.receivingAccount, allowEmpty: false)
        let signedAmount = try amount(fields, mapping)
        let direction = try direction(fields, mapping, signedAmount: signedAmount)
        let occurredAt = try time(fields, mapping)
        return NormalizedCallbackTransaction(
            provider: provider.provider,
            providerTransactionID: transactionID,
            receivingAccount: receivingAccount,
            virtualAccount: try fields.optionalText(mapping.virtualAccount),
            amount: mapping.direction == .amountSign ? abs(signedAmount) : signedAmount,
            direction: direction,
            occurredAt: occurredAt,
            localDate: VietnamTime.date(of: occurredAt),
            memo: mapping.memoOptional
                ? try fields.optionalText(mapping.memo) ?? ""
                : try fields.requiredText(mapping.memo, allowEmpty: true),
            payerName: try fields.optionalText(mapping.payerName),
            payerAccount: try fields.optionalText(mapping.payerAccount),
            payerBank: try fields.optionalText(mapping.payerBank),
            succeeded: try succeeded(fields, mapping))
    }

    private func transactionID(_ fields: CallbackFields, _ mapping: CallbackFieldMapping) throws(CallbackInputError) -> String {
        var parts: [String] = []
        for (index, path) in mapping.transactionID.enumerated() {
            let part = try fields.requiredText(path, allowEmpty: false)
            // Only the last part may hold the separator: the joined id still splits one way.
            if index < mapping.transactionID.count - 1 && part.contains(mapping.transactionIDSeparator) {
                throw CallbackInputError.field(path.description, .containsSeparator(part, separator: mapping.transactionIDSeparator))
            }
            parts.append(part)
        }
        return parts.joined(separator: mapping.transactionIDSeparator)
    }

    /// The amount in whole đồng: an integer, divided exactly by the divisor, within `Money.absoluteDongMax`.
    private func amount(_ fields: CallbackFields, _ mapping: CallbackFieldMapping) throws(CallbackInputError) -> Int64 {
        let path = mapping.amount.description
        let text = try fields.integerText(mapping.amount)
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw CallbackInputError.field(path, .notAnInteger(text))
        }
        guard let raw = Int64(text) else { throw CallbackInputError.field(path, .outOfRange(text)) }
        guard raw % mapping.amountDivisor == 0 else {
            throw CallbackInputError.field(path, .notWholeDong(text, divisor: mapping.amountDivisor))
        }
        let dong = raw / mapping.amountDivisor
        guard (try? Money(checkedDong: dong)) != nil else { throw CallbackInputError.field(path, .outOfRange(text)) }
        return dong
    }

    private func direction(
        _ fields: CallbackFields, _ mapping: CallbackFieldMapping, signedAmount: Int64
    ) throws(CallbackInputError) -> CallbackDirection {
        switch mapping.direction {
        case .constant(let direction):
            return direction
        case .amountSign:
            return signedAmount < 0 ? .outgoing : .incoming
        case .field(let path, let values):
            let text = try fields.requiredText(path, allowEmpty: true)
            guard let direction = values[text] else {
                throw CallbackInputError.field(path.description, .unknownValue(text, allowed: values.keys.sorted()))
            }
            return direction
        }
    }

    private func time(_ fields: CallbackFields, _ mapping: CallbackFieldMapping) throws(CallbackInputError) -> Date {
        let text: String
        switch mapping.timeFormat {
        case .epochSeconds, .epochMilliseconds: text = try fields.integerText(mapping.occurredAt)
        case .local, .iso8601: text = try fields.requiredText(mapping.occurredAt, allowEmpty: false)
        }
        guard let instant = mapping.timeFormat.instant(text) else {
            throw CallbackInputError.field(mapping.occurredAt.description, .badTime(text, format: mapping.timeFormat.name))
        }
        return instant
    }

    private func succeeded(_ fields: CallbackFields, _ mapping: CallbackFieldMapping) throws(CallbackInputError) -> Bool {
        var all = true
        for condition in mapping.success {
            guard let value = try fields.value(condition.path) else {
                throw CallbackInputError.field(condition.path.description, .missing)
            }
            if value != condition.equals { all = false }
        }
        return all
    }
}
