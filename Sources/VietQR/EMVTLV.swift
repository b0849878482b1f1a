import Core

/// One TLV item of an EMVCo payload, as bytes of the payload (slice indices are payload offsets).
struct EMVItem {
    let id: String
    /// The id path from the top level, e.g. `38.01.00`.
    let field: String
    /// Offset of the item's first id character in the payload.
    let offset: Int
    let value: ArraySlice<UInt8>

    var valueText: String { String(decoding: value, as: UTF8.self) }
}

/// Writing and reading EMVCo TLV: a 2-digit id, a 2-digit length in characters, the value.
enum EMVTLV {
    static let headerCharacters = 4

    /// `id` + length + `value`. Callers have checked the value; a bad one here is a programming error.
    static func item(_ id: String, _ value: String) -> String {
        precondition(id.utf8.count == 2 && id.utf8.allSatisfy(isDigit), "TLV id must be two digits")
        let length = value.utf8.count
        precondition((1...VietQRLimits.itemValueCharactersMax).contains(length), "TLV value of \(length) characters")
        precondition(value.utf8.allSatisfy(isPrintableASCII), "TLV value must be printable ASCII")
        return id + (length < 10 ? "0" : "") + String(length) + value
    }

    /// The items of a TLV list that must fill `bytes` exactly. `path` names the enclosing template in errors.
    static func readItems(_ bytes: ArraySlice<UInt8>, path: String) throws(VietQRPayloadError) -> [EMVItem] {
        var items: [EMVItem] = []
        var cursor = bytes.startIndex
        while cursor < bytes.endIndex {
            guard bytes.endIndex - cursor >= headerCharacters else {
                throw VietQRPayloadError(.truncatedItemHeader, field: path, offset: cursor)
            }
            guard ASCIIDigits.value(bytes[cursor..<(cursor + 2)]) != nil else {
                throw VietQRPayloadError(.idNotTwoDigits, field: path, offset: cursor)
            }
            let id = String(decoding: bytes[cursor..<cursor + 2], as: UTF8.self)
            let field = path.isEmpty ? id : path + "." + id
            guard let length = ASCIIDigits.value(bytes[(cursor + 2)..<(cursor + 4)]) else {
                throw VietQRPayloadError(.lengthNotTwoDigits, field: field, offset: cursor + 2)
            }
            guard length > 0 else { throw VietQRPayloadError(.zeroLength, field: field, offset: cursor + 2) }
            let valueStart = cursor + headerCharacters
            let available = bytes.endIndex - valueStart
            guard length <= available else {
                throw VietQRPayloadError(.lengthBeyondEnd(declared: length, available: available), field: field, offset: cursor + 2)
            }
            guard !items.contains(where: { $0.id == id }) else {
                throw VietQRPayloadError(.duplicateId, field: field, offset: cursor)
            }
            items.append(EMVItem(id: id, field: field, offset: cursor, value: bytes[valueStart..<valueStart + length]))
            cursor = valueStart + length
        }
        return items
    }

    /// The number written by the two decimal digits at `index`, nil if they are not digits.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @inline(__always)
    static func isPrintableASCII(_ byte: UInt8) -> Bool { byte >= 0x20 && byte <= 0x7E }
}
