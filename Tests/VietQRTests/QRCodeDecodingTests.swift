import Foundation
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
}
