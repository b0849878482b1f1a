import Core
import Foundation
import TestSupport
import Testing
@testable import VietQR

@Suite struct VietQRBuilderTests {
    static let vietinBank = "970415"
    static let account = "0011001932418"

    static func invoiceCode(_ serial: UInt64) throws -> PaymentCode {
        try PaymentCode(prefix: "HP", kind: .invoice, serial: serial)
    }

    @Test func invoicePayloadIsDynamicWithTheCodeFirst() throws {
        let code = try Self.invoiceCode(77)
        let payload = try VietQRPayload.invoice(
            bankBIN: Self.vietinBank, accountNumber: Self.account, service: .toAccount,
            outstanding: Money(dong: 1_500_000), invoiceCode: code, note: "Nguyễn Thị Thanh Hương")
        #expect(payload.initiation == .dynamicCode)
        #expect(payload.amount == Money(dong: 1_500_000))
        #expect(payload.memo == code.text + " Nguyen Thi")
        let text = payload.text
        #expect(text.contains("010212") && text.contains("54071500000"))
        #expect(text.contains("62" + String(format2: 4 + payload.memo!.count) + "08" + String(format2: payload.memo!.count) + payload.memo!))
        #expect(try VietQRPayload(parsing: text) == payload)
    }

    @Test func studentPayloadIsStaticWithTheStandingCode() throws {
        let code = try PaymentCode(prefix: "HP", kind: .student, serial: 12)
        let payload = try VietQRPayload.student(
            bankBIN: "970436", accountNumber: "1234567890", service: .toAccount, standingCode: code, note: nil)
        #expect(payload.initiation == .staticCode)
        #expect(payload.amount == nil)
        #expect(payload.memo == code.text)
        #expect(payload.text.contains("010211") && !payload.text.contains("5406"))
        #expect(try VietQRPayload(parsing: payload.text) == payload)
    }

    /// The memo rule: code first and whole, then whole words of the folded note while 25 characters allow.
    @Test func memoRule() throws {
        let code = try Self.invoiceCode(5) // 9 characters
        #expect(code.text.count == 9)
        #expect(VietQRPayload.memo(code: code, note: nil) == code.text)
        #expect(VietQRPayload.memo(code: code, note: "") == code.text)
        #expect(VietQRPayload.memo(code: code, note: "Học phí T9/2026") == code.text + " Hoc phi T9 2026")
        #expect(VietQRPayload.memo(code: code, note: "Đặng-Văn_Đức!!") == code.text + " Dang Van Duc")
        // 9 + 1 + 15 = 25 fits exactly; one more character does not, and the word is left out, not cut.
        #expect(VietQRPayload.memo(code: code, note: "ABCDEFGHIJKLMNO") == code.text + " ABCDEFGHIJKLMNO")
        #expect(VietQRPayload.memo(code: code, note: "ABCDEFGHIJKLMNOP") == code.text)
        #expect(VietQRPayload.memo(code: code, note: "AB CDEFGHIJKLMNOPQ R") == code.text + " AB")
        var generator = SplitMix64(seed: 25)
        let pieces = ["Nguyễn", "Thị", "Minh", "Khai", "lớp", "6A", "học", "phí", "tháng", "9", "đợt", "—", "💳", "&", "Trường"]
        for _ in 0..<2_000 {
            let note = (0..<generator.below(12)).map { _ in pieces[generator.below(pieces.count)] }.joined(separator: " ")
            let memo = VietQRPayload.memo(code: code, note: note)
            #expect(memo.utf8.count <= VietQRLimits.memoCharactersMax)
            #expect(memo.hasPrefix(code.text))
            #expect(memo.utf8.allSatisfy { $0 == 0x20 || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
            #expect(!memo.contains("  ") && !memo.hasSuffix(" "))
            #expect(VietnameseText.normalized(note).hasPrefix(VietnameseText.normalized(String(memo.dropFirst(code.text.count)))))
        }
    }

    @Test func refusesBadParts() throws {
        let memo = "HP memo"
        #expect(throws: VietQRPartsError.bankBINNotSixDigits("97041")) { try VietQRPayload(bankBIN: "97041", accountNumber: "1", service: .toAccount, amount: nil, memo: memo) }
        #expect(throws: VietQRPartsError.bankBINNotSixDigits("97041x")) { try VietQRPayload(bankBIN: "97041x", accountNumber: "1", service: .toAccount, amount: nil, memo: memo) }
        let twenty = String(repeating: "1", count: 20)
        #expect(throws: VietQRPartsError.accountNumberInvalid(twenty, service: .toAccount)) { try VietQRPayload(bankBIN: "970415", accountNumber: twenty, service: .toAccount, amount: nil, memo: memo) }
        #expect(throws: VietQRPartsError.accountNumberInvalid("", service: .toAccount)) { try VietQRPayload(bankBIN: "970415", accountNumber: "", service: .toAccount, amount: nil, memo: memo) }
        #expect(throws: VietQRPartsError.accountNumberInvalid("12 34", service: .toAccount)) { try VietQRPayload(bankBIN: "970415", accountNumber: "12 34", service: .toAccount, amount: nil, memo: memo) }
        #expect(throws: VietQRPartsError.accountNumberInvalid("VQR12", service: .toCard)) { try VietQRPayload(bankBIN: "970415", accountNumber: "VQR12", service: .toCard, amount: nil, memo: memo) }
        _ = try VietQRPayload(bankBIN: "970415", accountNumber: "VQR12", service: .toAccount, amount: nil, memo: memo)
        #expect(throws: VietQRPartsError.amountNotPositive(0)) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: .zero, memo: memo) }
        #expect(throws: VietQRPartsError.amountNotPositive(-5)) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: Money(dong: -5), memo: memo) }
        let tooMuch = VietQRPayload.amountDongMax + 1
        #expect(throws: VietQRPartsError.amountTooLarge(tooMuch)) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: Money(dong: tooMuch), memo: memo) }
        let longMemo = String(repeating: "x", count: 26)
        #expect(throws: VietQRPartsError.memoTooLong(longMemo)) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: nil, memo: longMemo) }
        #expect(throws: VietQRPartsError.memoNotPrintableASCII("học phí")) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: nil, memo: "học phí") }
        #expect(throws: VietQRPartsError.memoEmpty) { try VietQRPayload(bankBIN: "970415", accountNumber: "1", service: .toAccount, amount: nil, memo: "") }
        let studentCode = try PaymentCode(prefix: "HP", kind: .student, serial: 1)
        #expect(throws: VietQRPartsError.paymentCodeKindMismatch(code: studentCode.text, expected: .invoice)) { try VietQRPayload.invoice(bankBIN: "970415", accountNumber: "1", service: .toAccount, outstanding: Money(dong: 1), invoiceCode: studentCode, note: nil) }
        let invoiceCode = try Self.invoiceCode(1)
        #expect(throws: VietQRPartsError.paymentCodeKindMismatch(code: invoiceCode.text, expected: .student)) { try VietQRPayload.student(bankBIN: "970415", accountNumber: "1", service: .toAccount, standingCode: invoiceCode, note: nil) }
        #expect(throws: VietQRPartsError.amountNotPositive(0)) { try VietQRPayload.invoice(bankBIN: "970415", accountNumber: "1", service: .toAccount, outstanding: .zero, invoiceCode: invoiceCode, note: nil) }
    }

    /// Random parts → text → validate and parse → the same parts, and the same text again.
    @Test func roundTripsRandomParts() throws {
        var generator = SplitMix64(seed: 0xF00D)
        let accountAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let memoAlphabet = (0x20...0x7E).map { Character(Unicode.Scalar(UInt8($0))) }
        for _ in 0..<3_000 {
            let service = generator.below(4) == 0 ? VietQRService.toCard : .toAccount
            let bin = generator.below(2) == 0
                ? VietQRBank.known[generator.below(VietQRBank.known.count)].bin
                : String((0..<6).map { _ in accountAlphabet[generator.below(10)] })
            let accountLength = generator.below(19) + 1
            let account = String((0..<accountLength).map { _ in accountAlphabet[generator.below(service == .toCard ? 10 : 36)] })
            let digits = generator.below(13) + 1
            let amount: Money? = generator.below(3) == 0 ? nil : Money(dong: Int64(generator.next() % UInt64(Self.pow10(digits) - 1)) + 1)
            let memoLength = generator.below(26)
            let memo: String? = memoLength == 0 ? nil : String((0..<memoLength).map { _ in memoAlphabet[generator.below(memoAlphabet.count)] })
            let parts = try VietQRPayload(bankBIN: bin, accountNumber: account, service: service, amount: amount, memo: memo)
            let text = parts.text
            let parsed = try VietQRPayload(parsing: text)
            #expect(parsed == parts)
            #expect(parsed.text == text)
            #expect(text.utf8.count <= QRCodeEncoder.byteCapacityMax)
        }
    }

    static func pow10(_ exponent: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
