import Core

/// Why a VietQR payload string was refused: what is wrong, in which item, at which offset.
public struct VietQRPayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case empty
        case tooLong(characters: Int)
        /// A byte outside printable ASCII (0x20–0x7E).
        case notPrintableASCII(byte: UInt8)
        /// Fewer than the 4 characters of an id and a length remain.
        case truncatedItemHeader
        case idNotTwoDigits
        case lengthNotTwoDigits
        case zeroLength
        /// The declared length runs past the end of the payload or of the enclosing template.
        case lengthBeyondEnd(declared: Int, available: Int)
        case duplicateId
        case missingId
        case misplacedId(String)
        case invalidValue(String)
        case crcMismatch(computed: String, found: String)
    }

    public let kind: Kind
    /// The item's id path, e.g. `38.01.00`; empty for the payload as a whole.
    public let field: String
    /// Offset (0-based, in UTF-8 bytes, which are characters while the payload is ASCII) of the item
    /// or value at fault, or where the problem starts.
    public let offset: Int

    public init(_ kind: Kind, field: String, offset: Int) {
        self.kind = kind
        self.field = field
        self.offset = offset
    }

    public var description: String {
        let place = field.isEmpty ? "VietQR payload at offset \(offset)" : "VietQR payload, id \(field) at offset \(offset)"
        return "\(place): \(problem)"
    }

    var problem: String {
        switch kind {
        case .empty: return "the payload is empty"
        case .tooLong(let characters):
            return "\(characters) characters, more than the \(VietQRLimits.payloadCharactersMax) allowed"
        case .notPrintableASCII(let byte):
            return "byte 0x\(String(byte, radix: 16, uppercase: true)) is not printable ASCII"
        case .truncatedItemHeader: return "the payload ends inside an item's id and length"
        case .idNotTwoDigits: return "the item id is not two digits"
        case .lengthNotTwoDigits: return "the item length is not two digits"
        case .zeroLength: return "the item length is 00"
        case .lengthBeyondEnd(let declared, let available):
            return "declared length \(declared) but only \(available) characters remain in the enclosing value"
        case .duplicateId: return "the id appears twice"
        case .missingId: return "a required item is missing"
        case .misplacedId(let rule): return rule
        case .invalidValue(let rule): return rule
        case .crcMismatch(let computed, let found): return "CRC is \(found), the payload's CRC is \(computed)"
        }
    }
}

/// Why a VietQR payload could not be built from its parts.
public enum VietQRPartsError: Error, Equatable, Sendable, CustomStringConvertible {
    case bankBINNotSixDigits(String)
    case accountNumberInvalid(String, service: VietQRService)
    case amountNotPositive(Int64)
    case amountTooLarge(Int64)
    case memoEmpty
    case memoTooLong(String)
    case memoNotPrintableASCII(String)
    case paymentCodeKindMismatch(code: String, expected: PaymentCodeKind)

    public var description: String {
        switch self {
        case .bankBINNotSixDigits(let bin): return "bank BIN '\(bin)' is not 6 digits"
        case .accountNumberInvalid(let account, let service):
            return service == .toCard
                ? "card number '\(account)' must be 1 to \(VietQRLimits.accountCharactersMax) digits"
                : "account number '\(account)' must be 1 to \(VietQRLimits.accountCharactersMax) digits or upper-case letters"
        case .amountNotPositive(let dong): return "amount \(dong) đồng is not positive: a dynamic code needs something to pay"
        case .amountTooLarge(let dong):
            return "amount \(dong) đồng has more than \(VietQRLimits.amountDigitsMax) digits"
        case .memoEmpty: return "memo is empty"
        case .memoTooLong(let memo): return "memo '\(memo)' is longer than \(VietQRLimits.memoCharactersMax) characters"
        case .memoNotPrintableASCII(let memo): return "memo '\(memo)' is not printable ASCII"
        case .paymentCodeKindMismatch(let code, let expected): return "payment code \(code) is not a\(expected == .invoice ? "n" : "") \(expected.rawValue) code"
        }
    }
}
