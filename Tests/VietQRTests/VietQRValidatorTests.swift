import Core
import Foundation
import Testing
@testable import VietQR

/// Payloads that must be refused, each for a named reason at a named place.
@Suite struct VietQRValidatorTests {
    static let dynamicVector = VietQRVector.all[0].payload
    static let staticVector = VietQRVector.all[1].payload

    /// The payload without its CRC item.
    static func body(_ payload: String) -> String { String(payload.dropLast(8)) }

    /// `body`, then `6304` and the correct CRC: a payload whose CRC cannot be what is wrong.
    static func withCRC(_ body: String) -> String {
        let covered = body + "6304"
        return covered + CRC16CCITTFalse.hexDigits(CRC16CCITTFalse.checksum(covered.utf8))
    }

    /// `body(payload)` with `old` (which must occur once) replaced, then a correct CRC.
    static func edited(_ payload: String, _ old: String, _ new: String) -> String {
        let parts = body(payload).components(separatedBy: old)
        precondition(parts.count == 2, "'\(old)' must occur exactly once")
        return withCRC(parts.joined(separator: new))
    }

    /// Byte offset of `needle` in `text`.
    static func offset(of needle: String, in text: String) -> Int {
        let bytes = Array(text.utf8)
        let pattern = Array(needle.utf8)
        for start in 0...(bytes.count - pattern.count) where Array(bytes[start..<start + pattern.count]) == pattern {
            return start
        }
        preconditionFailure("'\(needle)' not in '\(text)'")
    }

    static func refusal(_ payload: String) -> VietQRPayloadError? {
        do {
            _ = try VietQRPayload(parsing: payload)
            return nil
        } catch {
            return error
        }
    }

    static func expectRefused(_ payload: String, _ kind: VietQRPayloadError.Kind, field: String, offset: Int,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let error = refusal(payload)
        #expect(error == VietQRPayloadError(kind, field: field, offset: offset), "\(payload)", sourceLocation: sourceLocation)
    }

    @Test func brokenInnerLengthWithAGoodCRC() {
        let longer = Self.edited(Self.dynamicVector, "0813ung", "0814ung")
        Self.expectRefused(longer, .lengthBeyondEnd(declared: 14, available: 13), field: "62.08",
                           offset: Self.offset(of: "0814ung", in: longer) + 2)
        // One character short: the memo's last character is left over where an item header should be.
        let shorter = Self.edited(Self.dynamicVector, "0813ung", "0812ung")
        Self.expectRefused(shorter, .truncatedItemHeader, field: "62", offset: Self.offset(of: "t6304", in: shorter))
        // The account template one shorter at the top level: the next "id" starts with a letter.
        let template = Self.edited(Self.dynamicVector, "3857", "3856")
        Self.expectRefused(template, .idNotTwoDigits, field: "", offset: Self.offset(of: "A5303704", in: template))
    }

    @Test func nestedLengthOverflowingItsTemplate() {
        // 38.01 claims 50 characters: the payload has them, the template 38 does not.
        let beneficiary = Self.edited(Self.dynamicVector, "0127000697", "0150000697")
        Self.expectRefused(beneficiary, .lengthBeyondEnd(declared: 50, available: 39), field: "38.01",
                           offset: Self.offset(of: "0150000697", in: beneficiary) + 2)
        let bin = Self.edited(Self.dynamicVector, "0006970415", "0030970415")
        Self.expectRefused(bin, .lengthBeyondEnd(declared: 30, available: 23), field: "38.01.00",
                           offset: Self.offset(of: "0030970415", in: bin) + 2)
    }

    @Test func badCRC() {
        var wrong = Self.dynamicVector
        wrong.removeLast()
        wrong += "D"
        let crcOffset = Self.dynamicVector.utf8.count - 4
        Self.expectRefused(wrong, .crcMismatch(computed: "C15C", found: "C15D"), field: "63", offset: crcOffset)
        // A changed memo under the old CRC.
        let changed = Self.dynamicVector.replacingOccurrences(of: "lu lut", with: "lu lot")
        Self.expectRefused(changed, .crcMismatch(computed: Self.withCRC(Self.body(changed)).suffix(4).description, found: "C15C"),
                           field: "63", offset: crcOffset)
        let lower = Self.body(Self.dynamicVector) + "6304c15c"
        Self.expectRefused(lower, .invalidValue("CRC must be 4 upper-case hexadecimal digits, found 'c15c'"), field: "63", offset: crcOffset)
        let missing = Self.body(Self.dynamicVector)
        Self.expectRefused(missing, .missingId, field: "63", offset: missing.utf8.count)
    }

    @Test func overLongMemo() {
        let memo = String(repeating: "M", count: 26)
        let payload = Self.edited(Self.dynamicVector, "62170813ung ho lu lut", "62300826" + memo)
        Self.expectRefused(payload, .invalidValue("memo is 26 characters, at most 25 allowed"), field: "62.08",
                           offset: Self.offset(of: memo, in: payload))
        let fits = Self.edited(Self.dynamicVector, "62170813ung ho lu lut", "62290825" + memo.dropLast())
        #expect(Self.refusal(fits) == nil)
    }

    @Test func nonASCII() {
        let accented = Self.edited(Self.dynamicVector, "0813ung ho lu lut", "0813ủng hộ lũ lụt")
        Self.expectRefused(accented, .notPrintableASCII(byte: Array("ủ".utf8)[0]), field: "",
                           offset: Self.offset(of: "ủng", in: accented))
        let control = Self.edited(Self.dynamicVector, "0813ung ho lu lut", "0813ung ho\nlu lut")
        Self.expectRefused(control, .notPrintableASCII(byte: 0x0A), field: "", offset: Self.offset(of: "\n", in: control))
    }

    @Test func missingRequiredIds() {
        Self.expectRefused(Self.edited(Self.dynamicVector, "5802VN", ""), .missingId, field: "58", offset: 0)
        Self.expectRefused(Self.edited(Self.dynamicVector, "5303704", ""), .missingId, field: "53", offset: 0)
        Self.expectRefused(Self.edited(Self.dynamicVector, "010212", ""), .missingId, field: "01", offset: 0)
        Self.expectRefused(Self.edited(Self.staticVector, "000201", ""), .missingId, field: "00", offset: 0)
        let noService = Self.edited(Self.dynamicVector, "38570010", "38450010").replacingOccurrences(of: "0208QRIBFTTA", with: "")
        let repaired = Self.withCRC(Self.body(noService))
        Self.expectRefused(repaired, .missingId, field: "38.02", offset: Self.offset(of: "3845", in: repaired))
        let noAccount = Self.edited(Self.dynamicVector, "38570010A00000072701270006970415011300110019324180208",
                                    "38400010A000000727011000069704150208")
        Self.expectRefused(noAccount, .missingId, field: "38.01.01", offset: Self.offset(of: "01100006", in: noAccount))
    }

    @Test func amountOnlyOnDynamicCodes() {
        let staticWithAmount = Self.edited(Self.staticVector, "5802VN", "54051000058" + "02VN")
        Self.expectRefused(staticWithAmount, .misplacedId("a static code (01 = 11) must not carry an amount"), field: "54",
                           offset: Self.offset(of: "540510000", in: staticWithAmount))
        let dynamicWithout = Self.edited(Self.dynamicVector, "5406120000", "")
        Self.expectRefused(dynamicWithout, .missingId, field: "54", offset: Self.offset(of: "010212", in: dynamicWithout))
        for bad in ["0120000", "12000.0", "1200 0", "12345678901234"] {
            let payload = Self.edited(Self.dynamicVector, "5406120000", "54" + String(format2: bad.count) + bad)
            let error = Self.refusal(payload)
            #expect(error?.field == "54" && error?.offset == Self.offset(of: bad, in: payload), "\(bad): \(String(describing: error))")
        }
    }

    @Test func wrongFixedValues() {
        let guid = Self.edited(Self.dynamicVector, "A000000727", "A000000728")
        Self.expectRefused(guid, .invalidValue("must be 'A000000727', found 'A000000728'"), field: "38.00",
                           offset: Self.offset(of: "A000000728", in: guid))
        let cases: [(old: String, new: String, field: String, at: String)] = [
            ("000201", "000202", "00", "02010212"),
            ("010212", "010213", "01", "1338"),
            ("5303704", "5303840", "53", "840"),
            ("5802VN", "5802US", "58", "US"),
            ("0006970415", "000697041A", "38.01.00", "97041A"),
            ("QRIBFTTA", "QRIBFTTX", "38.02", "QRIBFTTX"),
        ]
        for item in cases {
            let payload = Self.edited(Self.dynamicVector, item.old, item.new)
            let error = Self.refusal(payload)
            #expect(error?.field == item.field, "\(item.new): \(String(describing: error))")
            #expect(error?.offset == Self.offset(of: item.at, in: payload), "\(item.new): \(String(describing: error))")
            if case .invalidValue = error?.kind {} else { Issue.record("\(item.new): \(String(describing: error))") }
        }
        let cardWithLetters = Self.edited(VietQRVector.all[3].payload, "0011012345678", "00110123456AB")
        #expect(Self.refusal(cardWithLetters)?.field == "38.01.01")
    }

    @Test func malformedStructure() {
        Self.expectRefused("", .empty, field: "", offset: 0)
        Self.expectRefused(String(repeating: "0", count: 513), .tooLong(characters: 513), field: "", offset: 512)
        let swapped = Self.edited(Self.dynamicVector, "000201010212", "010212000201")
        Self.expectRefused(swapped, .misplacedId("id 00 (payload format) must be the first item"), field: "00", offset: 6)
        let crcNotLast = Self.withCRC(Self.body(Self.dynamicVector)) + "5903ABC"
        Self.expectRefused(crcNotLast, .misplacedId("id 63 (CRC) must be the last item"), field: "63",
                           offset: Self.offset(of: "6304", in: crcNotLast))
        let duplicate = Self.edited(Self.dynamicVector, "5802VN", "5802VN5802VN")
        Self.expectRefused(duplicate, .duplicateId, field: "58", offset: Self.offset(of: "5802VN", in: duplicate) + 6)
        let zero = Self.edited(Self.dynamicVector, "5802VN", "5802VN5900")
        Self.expectRefused(zero, .zeroLength, field: "59", offset: Self.offset(of: "5900", in: zero) + 2)
        let letterLength = Self.edited(Self.dynamicVector, "5802VN", "58A2VN")
        Self.expectRefused(letterLength, .lengthNotTwoDigits, field: "58", offset: Self.offset(of: "58A2", in: letterLength) + 2)
        Self.expectRefused("00020163", .truncatedItemHeader, field: "", offset: 6)
        let strangerIn38 = Self.edited(Self.dynamicVector, "38570010", "38650010").replacingOccurrences(of: "QRIBFTTA", with: "QRIBFTTA0304ABCD")
        let repaired = Self.withCRC(Self.body(strangerIn38))
        Self.expectRefused(repaired, .misplacedId("template 38 holds only ids 00, 01, 02"), field: "38.03",
                           offset: Self.offset(of: "0304ABCD", in: repaired))
    }

    /// Optional EMVCo items elsewhere are accepted and do not change the parts.
    @Test func acceptsOptionalItems() throws {
        let named = Self.edited(Self.dynamicVector, "5802VN", "5802VN5911TRUONG THCS6005HANOI")
        let parsed = try VietQRPayload(parsing: named)
        #expect(parsed == (try VietQRPayload(parsing: Self.dynamicVector)))
        let noMemo = Self.edited(Self.staticVector, "5802VN", "5802VN62070703T01")
        #expect(try VietQRPayload(parsing: noMemo).memo == nil)
    }

    @Test func errorsDescribeThePlace() {
        let error = VietQRPayloadError(.lengthBeyondEnd(declared: 14, available: 13), field: "62.08", offset: 108)
        #expect(error.description == "VietQR payload, id 62.08 at offset 108: declared length 14 but only 13 characters remain in the enclosing value")
    }
}

extension String {
    /// Two decimal digits, zero-padded.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
