import Core

/// The validator: a payload string is accepted only if its whole structure and its CRC are right.
///
/// Checked: printable ASCII, 1–512 characters; every TLV id and length at every level (top, 38, 38.01, 62),
/// each length inside its enclosing value, no duplicate ids; 00 first and 63 last; required ids
/// 00, 01, 38, 53, 58, 63 and, inside 38, 00, 01, 02 and, inside 38.01, 00, 01; values 00 = `01`,
/// 01 ∈ {11, 12}, 53 = `704`, 58 = `VN`, 38.00 = `A000000727`, 38.01.00 six digits, 38.01.01 an account or
/// card number, 38.02 a known service, 54 digits present if and only if dynamic, 62.08 at most 25 characters;
/// the CRC over everything up to and including `6304`. Structure is checked before the CRC, so a payload with
/// a good CRC over a broken TLV is refused for the TLV. Other well-formed top-level and 62 items
/// (EMVCo optional data such as 59 merchant name) are accepted and ignored; 38 and 38.01 hold only NAPAS's items.
extension VietQRPayload {
    static let requiredTopLevelIds = ["00", "01", "38", "53", "58", "63"]
    static let merchantAccountIds = ["00", "01", "02"]
    static let beneficiaryIds = ["00", "01"]

    /// Validates `payload` and reads its parts; the error names the item id path and the offset.
    public init(parsing payload: String) throws(VietQRPayloadError) {
        let bytes = Array(payload.utf8)
        try Self.checkCharacters(bytes)
        let items = try EMVTLV.readItems(bytes[...], path: "")
        try Self.checkOrderAndCRC(items, bytes: bytes)
        try Self.require(Self.requiredTopLevelIds, in: items, field: "", offset: 0)
        try Self.expect(Self.item("00", items), equals: Self.payloadFormat)
        try Self.expect(Self.item("53", items), equals: Self.currencyCodeVND)
        try Self.expect(Self.item("58", items), equals: Self.countryCode)
        let initiationItem = Self.item("01", items)
        let initiation = try Self.readInitiation(initiationItem)
        let amount = try Self.readAmount(items.first { $0.id == "54" }, initiation: initiation, initiationItem: initiationItem)
        let (bankBIN, accountNumber, service) = try Self.readMerchantAccount(Self.item("38", items))
        let memo = try Self.readMemo(items.first { $0.id == "62" })
        self.init(unchecked: bankBIN, accountNumber, service, amount, memo)
        // Pair check: what the parser accepts, the builder accepts too.
        assert((try? VietQRPayload(bankBIN: bankBIN, accountNumber: accountNumber, service: service, amount: amount, memo: memo)) == self)
    }

    static func checkCharacters(_ bytes: [UInt8]) throws(VietQRPayloadError) {
        guard !bytes.isEmpty else { throw VietQRPayloadError(.empty, field: "", offset: 0) }
        guard bytes.count <= VietQRLimits.payloadCharactersMax else {
            throw VietQRPayloadError(.tooLong(characters: bytes.count), field: "", offset: VietQRLimits.payloadCharactersMax)
        }
        if let index = bytes.firstIndex(where: { !EMVTLV.isPrintableASCII($0) }) {
            throw VietQRPayloadError(.notPrintableASCII(byte: bytes[index]), field: "", offset: index)
        }
    }

    static func checkOrderAndCRC(_ items: [EMVItem], bytes: [UInt8]) throws(VietQRPayloadError) {
        guard items.first?.id == "00" else {
            let misplaced = items.first { $0.id == "00" }
            throw VietQRPayloadError(
                misplaced == nil ? .missingId : .misplacedId("id 00 (payload format) must be the first item"),
                field: "00", offset: misplaced?.offset ?? 0)
        }
        guard let crcItem = items.last, crcItem.id == "63" else {
            let misplaced = items.first { $0.id == "63" }
            throw VietQRPayloadError(
                misplaced == nil ? .missingId : .misplacedId("id 63 (CRC) must be the last item"),
                field: "63", offset: misplaced?.offset ?? bytes.count)
        }
        let found = crcItem.valueText
        guard found.utf8.count == 4, found.utf8.allSatisfy(isUpperHexDigit) else {
            throw VietQRPayloadError(.invalidValue("CRC must be 4 upper-case hexadecimal digits, found '\(found)'"),
                                     field: "63", offset: crcItem.value.startIndex)
        }
        let computed = CRC16CCITTFalse.hexDigits(CRC16CCITTFalse.checksum(bytes[..<crcItem.value.startIndex]))
        guard computed == found else {
            throw VietQRPayloadError(.crcMismatch(computed: computed, found: found), field: "63", offset: crcItem.value.startIndex)
        }
    }

    static func readInitiation(_ item: EMVItem) throws(VietQRPayloadError) -> VietQRInitiation {
        guard let initiation = VietQRInitiation(rawValue: item.valueText) else {
            throw invalid(item, "initiation must be 11 (static) or 12 (dynamic), found '\(item.valueText)'")
        }
        return initiation
    }

    /// The amount of a dynamic code; a missing amount is reported at the initiation item that requires it.
    static func readAmount(
        _ item: EMVItem?, initiation: VietQRInitiation, initiationItem: EMVItem
    ) throws(VietQRPayloadError) -> Money? {
        switch (initiation, item) {
        case (.staticCode, nil): return nil
        case (.staticCode, let item?):
            throw VietQRPayloadError(.misplacedId("a static code (01 = 11) must not carry an amount"), field: "54", offset: item.offset)
        case (.dynamicCode, nil):
            throw VietQRPayloadError(.missingId, field: "54", offset: initiationItem.offset)
        case (.dynamicCode, let item?):
            let digits = item.value
            guard digits.count <= VietQRLimits.amountDigitsMax, digits.allSatisfy(EMVTLV.isDigit),
                  digits.first != UInt8(ascii: "0"), let dong = Int64(item.valueText) else {
                throw invalid(item, "amount must be 1 to \(VietQRLimits.amountDigitsMax) digits without a leading zero, found '\(item.valueText)'")
            }
            return Money(dong: dong)
        }
    }

    static func readMerchantAccount(_ template: EMVItem) throws(VietQRPayloadError) -> (String, String, VietQRService) {
        let items = try EMVTLV.readItems(template.value, path: "38")
        try only(merchantAccountIds, in: items, field: "38")
        try require(merchantAccountIds, in: items, field: "38", offset: template.offset)
        try expect(item("00", items), equals: napasGUID)
        let serviceItem = item("02", items)
        guard let service = VietQRService(rawValue: serviceItem.valueText) else {
            throw invalid(serviceItem, "service must be QRIBFTTA or QRIBFTTC, found '\(serviceItem.valueText)'")
        }
        let beneficiaryTemplate = item("01", items)
        let beneficiary = try EMVTLV.readItems(beneficiaryTemplate.value, path: "38.01")
        try only(beneficiaryIds, in: beneficiary, field: "38.01")
        try require(beneficiaryIds, in: beneficiary, field: "38.01", offset: beneficiaryTemplate.offset)
        let binItem = item("00", beneficiary)
        guard isValidBankBIN(binItem.valueText) else {
            throw invalid(binItem, "bank BIN must be 6 digits, found '\(binItem.valueText)'")
        }
        let accountItem = item("01", beneficiary)
        guard isValidAccountNumber(accountItem.valueText, service: service) else {
            let what = service == .toCard ? "card number must be digits" : "account number must be digits or upper-case letters"
            throw invalid(accountItem, "\(what), at most \(VietQRLimits.accountCharactersMax), found '\(accountItem.valueText)'")
        }
        return (binItem.valueText, accountItem.valueText, service)
    }

    static func readMemo(_ template: EMVItem?) throws(VietQRPayloadError) -> String? {
        guard let template else { return nil }
        let items = try EMVTLV.readItems(template.value, path: "62")
        guard let memoItem = items.first(where: { $0.id == "08" }) else { return nil }
        guard memoItem.value.count <= VietQRLimits.memoCharactersMax else {
            throw invalid(memoItem, "memo is \(memoItem.value.count) characters, at most \(VietQRLimits.memoCharactersMax) allowed")
        }
        return memoItem.valueText
    }

    // MARK: Helpers

    /// The item with `id`; only called after `require` checked it is there.
    static func item(_ id: String, _ items: [EMVItem]) -> EMVItem {
        guard let found = items.first(where: { $0.id == id }) else { preconditionFailure("item \(id) was required") }
        return found
    }

    static func require(_ ids: [String], in items: [EMVItem], field: String, offset: Int) throws(VietQRPayloadError) {
        for id in ids where !items.contains(where: { $0.id == id }) {
            throw VietQRPayloadError(.missingId, field: field.isEmpty ? id : field + "." + id, offset: offset)
        }
    }

    static func only(_ ids: [String], in items: [EMVItem], field: String) throws(VietQRPayloadError) {
        if let stranger = items.first(where: { !ids.contains($0.id) }) {
            throw VietQRPayloadError(.misplacedId("template \(field) holds only ids \(ids.joined(separator: ", "))"),
                                     field: field + "." + stranger.id, offset: stranger.offset)
        }
    }

    static func expect(_ item: EMVItem, equals expected: String) throws(VietQRPayloadError) {
        guard item.valueText == expected else { throw invalid(item, "must be '\(expected)', found '\(item.valueText)'") }
    }

    static func invalid(_ item: EMVItem, _ rule: String) -> VietQRPayloadError {
        VietQRPayloadError(.invalidValue(rule), field: item.field, offset: item.value.startIndex)
    }

    static func isUpperHexDigit(_ byte: UInt8) -> Bool {
        EMVTLV.isDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
