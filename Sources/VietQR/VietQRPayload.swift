import Core

/// How the money moves: NAPAS 247 fast transfer to an account or to a card (id 38.02).
public enum VietQRService: String, Sendable, Codable, CaseIterable {
    case toAccount = "QRIBFTTA"
    case toCard = "QRIBFTTC"
}

/// Id 01: a static code is reusable and carries no amount; a dynamic code is for one payment of one amount.
public enum VietQRInitiation: String, Sendable, Codable, CaseIterable {
    case staticCode = "11"
    case dynamicCode = "12"
}

/// The parts of a VietQR payload (NAPAS 247 on EMVCo merchant-presented QR), checked on construction.
///
/// `text` writes the payload in the fixed order 00, 01, 38, 53, 54, 58, 62, 63 with the CRC last;
/// `init(parsing:)` validates a payload string and reads its parts back.
public struct VietQRPayload: Hashable, Sendable {
    public static let napasGUID = "A000000727"
    public static let currencyCodeVND = "704"
    public static let countryCode = "VN"
    public static let payloadFormat = "01"

    /// The bank's 6-digit BIN (see `VietQRBank`).
    public let bankBIN: String
    /// Account number (`toAccount`) or card number (`toCard`).
    public let accountNumber: String
    public let service: VietQRService
    /// The amount to pay: present on a dynamic code, nil on a static code.
    public let amount: Money?
    /// Purpose of transaction (id 62.08): printable ASCII, 1–25 characters; nil leaves id 62 out.
    public let memo: String?

    public var initiation: VietQRInitiation { amount == nil ? .staticCode : .dynamicCode }

    /// Parts of a payload; a nil `amount` makes a static code.
    public init(bankBIN: String, accountNumber: String, service: VietQRService, amount: Money?, memo: String?) throws(VietQRPartsError) {
        guard Self.isValidBankBIN(bankBIN) else { throw .bankBINNotSixDigits(bankBIN) }
        guard Self.isValidAccountNumber(accountNumber, service: service) else {
            throw .accountNumberInvalid(accountNumber, service: service)
        }
        if let amount {
            guard amount.isPositive else { throw .amountNotPositive(amount.dong) }
            guard amount.dong <= Self.amountDongMax else { throw .amountTooLarge(amount.dong) }
        }
        if let memo {
            guard !memo.isEmpty else { throw .memoEmpty }
            guard memo.utf8.allSatisfy(EMVTLV.isPrintableASCII) else { throw .memoNotPrintableASCII(memo) }
            guard memo.utf8.count <= VietQRLimits.memoCharactersMax else { throw .memoTooLong(memo) }
        }
        self.init(unchecked: bankBIN, accountNumber, service, amount, memo)
    }

    init(unchecked bankBIN: String, _ accountNumber: String, _ service: VietQRService, _ amount: Money?, _ memo: String?) {
        self.bankBIN = bankBIN
        self.accountNumber = accountNumber
        self.service = service
        self.amount = amount
        self.memo = memo
    }

    /// The payload string, CRC included: what the QR code carries.
    public var text: String {
        let beneficiary = EMVTLV.item("00", bankBIN) + EMVTLV.item("01", accountNumber)
        let merchantAccount = EMVTLV.item("00", Self.napasGUID) + EMVTLV.item("01", beneficiary)
            + EMVTLV.item("02", service.rawValue)
        var payload = EMVTLV.item("00", Self.payloadFormat) + EMVTLV.item("01", initiation.rawValue)
            + EMVTLV.item("38", merchantAccount) + EMVTLV.item("53", Self.currencyCodeVND)
        if let amount { payload += EMVTLV.item("54", String(amount.dong)) }
        payload += EMVTLV.item("58", Self.countryCode)
        if let memo { payload += EMVTLV.item("62", EMVTLV.item("08", memo)) }
        payload += "6304"
        let text = payload + CRC16CCITTFalse.hexDigits(CRC16CCITTFalse.checksum(payload.utf8))
        precondition(text.utf8.count <= VietQRLimits.payloadCharactersMax)
        return text
    }

    /// The QR code of `text`. Every valid payload fits (at most about 160 characters; version 10-M holds 213).
    public func qrCode() -> QRCodeMatrix {
        do {
            return try QRCodeEncoder.encode(Array(text.utf8))
        } catch {
            preconditionFailure("a VietQR payload of \(text.utf8.count) characters must fit a QR code: \(error)")
        }
    }

    // MARK: Rules shared by the builder and the parser

    /// The largest amount id 54 can carry: 13 nines.
    public static let amountDongMax: Int64 = 9_999_999_999_999

    static func isValidBankBIN(_ bin: String) -> Bool {
        bin.utf8.count == VietQRLimits.bankBINDigits && bin.utf8.allSatisfy(EMVTLV.isDigit)
    }

    /// Card numbers are digits; account numbers are digits or upper-case ASCII letters (some banks issue
    /// alphanumeric virtual accounts). Both 1–19 characters.
    static func isValidAccountNumber(_ account: String, service: VietQRService) -> Bool {
        guard (1...VietQRLimits.accountCharactersMax).contains(account.utf8.count) else { return false }
        switch service {
        case .toCard: return account.utf8.allSatisfy(EMVTLV.isDigit)
        case .toAccount: return account.utf8.allSatisfy { EMVTLV.isDigit($0) || ($0 >= 0x41 && $0 <= 0x5A) }
        }
    }
}
