/// The eight data mask patterns (ISO/IEC 18004 §7.8.2, Table 10): a data module is inverted where the condition holds.
enum QRCodeMask {
    static let count = 8

    static func inverts(mask: Int, row: Int, column: Int) -> Bool {
        switch mask {
        case 0: return (row + column) % 2 == 0
        case 1: return row % 2 == 0
        case 2: return column % 3 == 0
        case 3: return (row + column) % 3 == 0
        case 4: return (row / 2 + column / 3) % 2 == 0
        case 5: return (row * column) % 2 + (row * column) % 3 == 0
        case 6: return ((row * column) % 2 + (row * column) % 3) % 2 == 0
        case 7: return ((row + column) % 2 + (row * column) % 3) % 2 == 0
        default: preconditionFailure("mask \(mask) does not exist")
        }
    }

    /// Inverts the data modules of `canvas` under `mask`; applying it twice restores the canvas.
    static func apply(_ mask: Int, to canvas: inout QRCodeCanvas) {
        for row in 0..<canvas.size {
            for column in 0..<canvas.size where !canvas.isFunctionModule(row: row, column: column) {
                if inverts(mask: mask, row: row, column: column) { canvas.flipDataModule(row: row, column: column) }
            }
        }
    }
}
