import Foundation
import Core
import TestSupport
import Testing
@testable import VietQR

/// Every symbol is read back by zbarimg, a decoder written by others, from a PGM rendering.
@Suite struct QRCodeDecodingTests {
    static let printable: [UInt8] = Array(0x20...0x7E)

    /// Printable ASCII of `count` bytes, seeded.
    static func payload(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in printable[generator.below(printable.count)] }
    }

    @Test(arguments: 1...10)
    func everyMaskOfVersionDecodes(version: Int) throws {
        let zbarimg = try #require(Zbar.executablePath(), Comment(rawValue: Zbar.installHint))
        let capacity = QRCodeVersion.version(version).byteCapacity
        let previousCapacity = version == 1 ? 0 : QRCodeVersion.version(version - 1).byteCapacity
        try Zbar.withTemporaryDirectory { directory in
            for mask in 0..<QRCodeMask.count {
                // Alternate between the fullest and the emptiest payload that still needs this version.
                let count = mask % 2 == 0 ? capacity : previousCapacity + 1
                let data = Self.payload(count: count, seed: UInt64(version * 100 + mask))
                let matrix = try QRCodeEncoder.encode(data, forcedMask: mask)
                #expect(matrix.version == version)
                #expect(matrix.mask == mask)
                let decoded = try Zbar.decode(matrix, zbarimg: zbarimg, directory: directory, name: "v\(version)m\(mask)")
                #expect(decoded == data, "version \(version) mask \(mask), \(count) bytes")
            }
        }
    }

    /// Random lengths over the whole range, any byte value, the encoder's own mask choice.
    @Test func randomPayloadsDecode() throws {
        let zbarimg = try #require(Zbar.executablePath(), Comment(rawValue: Zbar.installHint))
        var generator = SplitMix64(seed: 0xC0DE)
        try Zbar.withTemporaryDirectory { directory in
            var masksSeen = Set<Int>()
            var versionsSeen = Set<Int>()
            for index in 0..<60 {
                let count = generator.below(QRCodeEncoder.byteCapacityMax) + 1
                let data = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                let matrix = try QRCodeEncoder.encode(data)
                masksSeen.insert(matrix.mask)
                versionsSeen.insert(matrix.version)
                let decoded = try Zbar.decode(matrix, zbarimg: zbarimg, directory: directory, name: "random\(index)")
                #expect(decoded == data, "\(count) bytes, version \(matrix.version), mask \(matrix.mask)")
            }
            #expect(masksSeen.count > 3 && versionsSeen.count > 5, "the sample must vary: masks \(masksSeen), versions \(versionsSeen)")
        }
    }

    /// VietQR payloads, from the document's vectors and from the builder, read back exactly.
    @Test func vietQRPayloadsDecode() throws {
        let zbarimg = try #require(Zbar.executablePath(), Comment(rawValue: Zbar.installHint))
        let invoice = try VietQRPayload.invoice(
            bankBIN: "970436", accountNumber: "0071000123456", service: .toAccount,
            outstanding: Money(dong: 2_350_000), invoiceCode: try PaymentCode(prefix: "THC", kind: .invoice, serial: 4242),
            note: "Trần Thị Bảo Ngọc lớp 7A2")
        let student = try VietQRPayload.student(
            bankBIN: "970418", accountNumber: "21510001234567", service: .toAccount,
            standingCode: try PaymentCode(prefix: "HP", kind: .student, serial: 99), note: nil)
        let payloads = VietQRVector.all.map(\.payload) + [invoice.text, student.text]
        try Zbar.withTemporaryDirectory { directory in
            for (index, payload) in payloads.enumerated() {
                let parsed = try VietQRPayload(parsing: payload)
                let decoded = try Zbar.decode(parsed.qrCode(), zbarimg: zbarimg, directory: directory, name: "vietqr\(index)")
                #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == payload)
            }
        }
    }
}
