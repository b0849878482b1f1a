import Core
import Testing
@testable import VietQR

/// The public sample payloads (docs/domain.md §3) with their parts as the specification describes them.
struct VietQRVector: Sendable, CustomStringConvertible {
    let payload: String
    let bankBIN: String
    let accountNumber: String
    let service: VietQRService
    let amount: Int64?
    let memo: String?

    var description: String { payload }

    static let all: [VietQRVector] = [
        VietQRVector(
            payload: "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
            bankBIN: "970415", accountNumber: "0011001932418", service: .toAccount, amount: 120_000, memo: "ung ho lu lut"),
        VietQRVector(
            payload: "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
            bankBIN: "970423", accountNumber: "0099999999", service: .toAccount, amount: nil, memo: nil),
        VietQRVector(
            payload: "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62200816test text string6304D9C6",
            bankBIN: "970422", accountNumber: "0023457923442", service: .toAccount, amount: 40_123, memo: "test text string"),
        VietQRVector(
            payload: "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTC530370454061800005802VN62230819thanh toan don hang630415C1",
            bankBIN: "970403", accountNumber: "0011012345678", service: .toCard, amount: 180_000, memo: "thanh toan don hang"),
    ]
}

@Suite struct VietQRVectorTests {
    @Test func crcCheckValue() {
        #expect(CRC16CCITTFalse.checksum(Array("123456789".utf8)) == 0x29B1)
        #expect(CRC16CCITTFalse.checksum([UInt8]()) == 0xFFFF)
        #expect(CRC16CCITTFalse.hexDigits(0x29B1) == "29B1")
        #expect(CRC16CCITTFalse.hexDigits(0x0A0F) == "0A0F")
        #expect(CRC16CCITTFalse.hexDigits(0) == "0000")
    }

    @Test(arguments: VietQRVector.all)
    func vectorValidatesAndParses(vector: VietQRVector) throws {
        let parsed = try VietQRPayload(parsing: vector.payload)
        #expect(parsed.bankBIN == vector.bankBIN)
        #expect(parsed.accountNumber == vector.accountNumber)
        #expect(parsed.service == vector.service)
        #expect(parsed.amount?.dong == vector.amount)
        #expect(parsed.memo == vector.memo)
        #expect(parsed.initiation == (vector.amount == nil ? .staticCode : .dynamicCode))
    }

    @Test(arguments: VietQRVector.all)
    func builderReproducesVectorByteForByte(vector: VietQRVector) throws {
        let built = try VietQRPayload(
            bankBIN: vector.bankBIN, accountNumber: vector.accountNumber, service: vector.service,
            amount: vector.amount.map { Money(dong: $0) }, memo: vector.memo)
        #expect(built.text == vector.payload)
    }

    @Test func bankTableNamesTheVectorBanks() {
        #expect(VietQRBank.bank(bin: "970415")?.name == "VietinBank")
        #expect(VietQRBank.bank(bin: "970423")?.name == "TPBank")
        #expect(VietQRBank.bank(bin: "970422")?.name == "MB")
        #expect(VietQRBank.bank(bin: "970403")?.name == "Sacombank")
        #expect(VietQRBank.bank(named: "vietcombank")?.bin == "970436")
        #expect(VietQRBank.bank(bin: "999999") == nil)
        #expect(VietQRBank.known.count == 18)
        #expect(Set(VietQRBank.known.map(\.bin)).count == VietQRBank.known.count)
        #expect(VietQRBank.known.allSatisfy { VietQRPayload.isValidBankBIN($0.bin) })
    }
}
