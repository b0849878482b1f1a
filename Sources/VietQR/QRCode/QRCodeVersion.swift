/// The properties of a QR Code version at error correction level M (ISO/IEC 18004 Tables 1, 9 and E.1).
struct QRCodeVersion: Sendable {
    struct BlockGroup: Sendable {
        let blockCount: Int
        let dataCodewordsPerBlock: Int
    }

    let number: Int
    let errorCorrectionCodewordsPerBlock: Int
    let blockGroups: [BlockGroup]
    /// Row and column coordinates of alignment pattern centres.
    let alignmentCentres: [Int]

    static let modeIndicatorBits = 4
    static let versionInformationVersionMin = 7

    var size: Int { 17 + 4 * number }
    var blockCount: Int { blockGroups.reduce(0) { $0 + $1.blockCount } }
    var dataCodewords: Int { blockGroups.reduce(0) { $0 + $1.blockCount * $1.dataCodewordsPerBlock } }
    var totalCodewords: Int { dataCodewords + blockCount * errorCorrectionCodewordsPerBlock }
    /// Byte mode character count indicator: 8 bits up to version 9, 16 bits from version 10.
    var characterCountBits: Int { number <= 9 ? 8 : 16 }
    /// How many bytes byte mode holds: data bits minus the mode indicator and the count, in whole bytes.
    var byteCapacity: Int { (dataCodewords * 8 - Self.modeIndicatorBits - characterCountBits) / 8 }

    /// Versions 1–10 at level M.
    static let all: [QRCodeVersion] = [
        QRCodeVersion(number: 1, errorCorrectionCodewordsPerBlock: 10, blockGroups: [.init(blockCount: 1, dataCodewordsPerBlock: 16)], alignmentCentres: []),
        QRCodeVersion(number: 2, errorCorrectionCodewordsPerBlock: 16, blockGroups: [.init(blockCount: 1, dataCodewordsPerBlock: 28)], alignmentCentres: [6, 18]),
        QRCodeVersion(number: 3, errorCorrectionCodewordsPerBlock: 26, blockGroups: [.init(blockCount: 1, dataCodewordsPerBlock: 44)], alignmentCentres: [6, 22]),
        QRCodeVersion(number: 4, errorCorrectionCodewordsPerBlock: 18, blockGroups: [.init(blockCount: 2, dataCodewordsPerBlock: 32)], alignmentCentres: [6, 26]),
        QRCodeVersion(number: 5, errorCorrectionCodewordsPerBlock: 24, blockGroups: [.init(blockCount: 2, dataCodewordsPerBlock: 43)], alignmentCentres: [6, 30]),
        QRCodeVersion(number: 6, errorCorrectionCodewordsPerBlock: 16, blockGroups: [.init(blockCount: 4, dataCodewordsPerBlock: 27)], alignmentCentres: [6, 34]),
        QRCodeVersion(number: 7, errorCorrectionCodewordsPerBlock: 18, blockGroups: [.init(blockCount: 4, dataCodewordsPerBlock: 31)], alignmentCentres: [6, 22, 38]),
        QRCodeVersion(number: 8, errorCorrectionCodewordsPerBlock: 22, blockGroups: [.init(blockCount: 2, dataCodewordsPerBlock: 38), .init(blockCount: 2, dataCodewordsPerBlock: 39)], alignmentCentres: [6, 24, 42]),
        QRCodeVersion(number: 9, errorCorrectionCodewordsPerBlock: 22, blockGroups: [.init(blockCount: 3, dataCodewordsPerBlock: 36), .init(blockCount: 2, dataCodewordsPerBlock: 37)], alignmentCentres: [6, 26, 46]),
        QRCodeVersion(number: 10, errorCorrectionCodewordsPerBlock: 26, blockGroups: [.init(blockCount: 4, dataCodewordsPerBlock: 43), .init(blockCount: 1, dataCodewordsPerBlock: 44)], alignmentCentres: [6, 28, 50]),
    ]

    static let numberMax = 10

    static func version(_ number: Int) -> QRCodeVersion {
        precondition((1...numberMax).contains(number), "QR Code version \(number) is not supported")
        return all[number - 1]
    }

    /// The smallest version whose byte capacity holds `byteCount` bytes.
    static func smallest(holding byteCount: Int) -> QRCodeVersion? {
        all.first { $0.byteCapacity >= byteCount }
    }
}
