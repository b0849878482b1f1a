/// Why bytes could not become a QR Code.
public enum QRCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case dataTooLong(byteCount: Int, capacityBytesMax: Int)

    public var description: String {
        switch self {
        case .dataTooLong(let byteCount, let capacity):
            return "\(byteCount) bytes do not fit a QR Code version 10-M (byte mode holds at most \(capacity))"
        }
    }
}

/// A QR Code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1–10.
///
/// The smallest version that holds the data is used; all eight masks are tried and the one with the
/// lowest penalty score is kept (the first on a tie).
public enum QRCodeEncoder {
    /// The most bytes a symbol holds: version 10-M in byte mode.
    public static var byteCapacityMax: Int { QRCodeVersion.version(QRCodeVersion.numberMax).byteCapacity }

    /// The symbol for `data`.
    public static func encode(_ data: [UInt8]) throws(QRCodeError) -> QRCodeMatrix {
        try encode(data, forcedMask: nil)
    }

    /// The symbol for the UTF-8 bytes of `text`.
    public static func encode(_ text: String) throws(QRCodeError) -> QRCodeMatrix {
        try encode(Array(text.utf8), forcedMask: nil)
    }

    /// `forcedMask` skips the penalty evaluation and uses that mask: for tests that cover every mask.
    static func encode(_ data: [UInt8], forcedMask: Int?) throws(QRCodeError) -> QRCodeMatrix {
        guard let version = QRCodeVersion.smallest(holding: data.count) else {
            throw .dataTooLong(byteCount: data.count, capacityBytesMax: byteCapacityMax)
        }
        let codewords = QRCodeCodewords.interleaved(QRCodeCodewords.dataCodewords(data, version: version), version: version)
        var canvas = QRCodeCanvas(version: version)
        placeCodewords(codewords, on: &canvas)
        let mask = forcedMask ?? bestMask(for: canvas)
        precondition((0..<QRCodeMask.count).contains(mask))
        applyMask(mask, to: &canvas)
        return QRCodeMatrix(version: version.number, mask: mask, modules: canvas.modules)
    }

    /// Masks the data modules and writes the matching format information.
    static func applyMask(_ mask: Int, to canvas: inout QRCodeCanvas) {
        QRCodeMask.apply(mask, to: &canvas)
        canvas.drawFormatInformation(QRCodeFormatInformation.formatBits(level: .medium, mask: mask))
    }

    /// The mask with the lowest penalty score on the finished symbol, format information included.
    static func bestMask(for canvas: QRCodeCanvas) -> Int {
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<QRCodeMask.count {
            var candidate = canvas
            applyMask(mask, to: &candidate)
            let penalty = QRCodePenalty.score({ candidate[$0, $1] }, size: candidate.size).total
            if penalty < best.penalty { best = (mask, penalty) }
        }
        return best.mask
    }

    /// Codeword bits, most significant first, in the zigzag of §7.7.3: two-module columns from the right edge,
    /// alternately upwards and downwards, skipping the vertical timing pattern and every function module.
    /// Modules left over after the last codeword are remainder bits, light.
    static func placeCodewords(_ codewords: [UInt8], on canvas: inout QRCodeCanvas) {
        let size = canvas.size
        let bitCount = codewords.count * 8
        var bitIndex = 0
        var rightColumn = size - 1
        var upwards = true
        while rightColumn > 0 {
            if rightColumn == QRCodeCanvas.timingLine { rightColumn -= 1 }
            for step in 0..<size {
                let row = upwards ? size - 1 - step : step
                for column in [rightColumn, rightColumn - 1] where !canvas.isFunctionModule(row: row, column: column) {
                    let dark = bitIndex < bitCount && (codewords[bitIndex / 8] >> (7 - bitIndex % 8)) & 1 != 0
                    canvas.setDataModule(row: row, column: column, dark: dark)
                    bitIndex += 1
                }
            }
            upwards.toggle()
            rightColumn -= 2
        }
        precondition(bitIndex >= bitCount && bitIndex - bitCount < 8, "codewords must fill the symbol but for remainder bits")
    }
}
