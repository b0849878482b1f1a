/// A symbol under construction: modules, and which of them belong to function patterns
/// (finder, separator, timing, alignment, format and version information, dark module)
/// so that data placement and masking leave them alone.
struct QRCodeCanvas {
    let version: QRCodeVersion
    let size: Int
    private(set) var modules: [Bool]
    private(set) var isFunction: [Bool]

    static let timingLine = 6

    /// A canvas with every function pattern drawn; format information is reserved (drawn light).
    init(version: QRCodeVersion) {
        self.version = version
        size = version.size
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawTimingPatterns()
        drawFinderPattern(centreRow: 3, centreColumn: 3)
        drawFinderPattern(centreRow: 3, centreColumn: size - 4)
        drawFinderPattern(centreRow: size - 4, centreColumn: 3)
        drawAlignmentPatterns()
        drawFormatInformation(QRCodeFormatInformation.reservedBits)
        drawVersionInformation()
    }

    subscript(row: Int, column: Int) -> Bool {
        modules[row * size + column]
    }

    func isFunctionModule(row: Int, column: Int) -> Bool {
        isFunction[row * size + column]
    }

    mutating func setFunctionModule(row: Int, column: Int, dark: Bool) {
        modules[row * size + column] = dark
        isFunction[row * size + column] = true
    }

    mutating func setDataModule(row: Int, column: Int, dark: Bool) {
        precondition(!isFunction[row * size + column], "data must not overwrite a function pattern")
        modules[row * size + column] = dark
    }

    mutating func flipDataModule(row: Int, column: Int) {
        precondition(!isFunction[row * size + column], "a mask must not touch a function pattern")
        modules[row * size + column].toggle()
    }

    /// Row 6 and column 6 alternate dark and light, dark on even coordinates.
    private mutating func drawTimingPatterns() {
        for index in 0..<size {
            setFunctionModule(row: Self.timingLine, column: index, dark: index % 2 == 0)
            setFunctionModule(row: index, column: Self.timingLine, dark: index % 2 == 0)
        }
    }

    /// A 7×7 finder (3×3 dark core, light ring, dark ring) with its light separator, clipped to the symbol.
    private mutating func drawFinderPattern(centreRow: Int, centreColumn: Int) {
        for rowOffset in -4...4 {
            for columnOffset in -4...4 {
                let row = centreRow + rowOffset
                let column = centreColumn + columnOffset
                guard row >= 0 && row < size && column >= 0 && column < size else { continue }
                let ring = max(abs(rowOffset), abs(columnOffset))
                setFunctionModule(row: row, column: column, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// 5×5 alignment patterns at every pair of centre coordinates except the three finder corners.
    private mutating func drawAlignmentPatterns() {
        let centres = version.alignmentCentres
        guard let last = centres.last else { return }
        for centreRow in centres {
            for centreColumn in centres {
                let overlapsFinder = (centreRow == 6 && centreColumn == 6) || (centreRow == 6 && centreColumn == last)
                    || (centreRow == last && centreColumn == 6)
                guard !overlapsFinder else { continue }
                for rowOffset in -2...2 {
                    for columnOffset in -2...2 {
                        let ring = max(abs(rowOffset), abs(columnOffset))
                        setFunctionModule(row: centreRow + rowOffset, column: centreColumn + columnOffset, dark: ring != 1)
                    }
                }
            }
        }
    }

    /// The 15 format bits, twice, and the dark module (ISO/IEC 18004 §7.9.1, Figure 25).
    /// Bit 14 is the most significant: copy one runs along row 8 from the left then up column 8;
    /// copy two runs up column 8 from the bottom then along row 8 to the right edge.
    mutating func drawFormatInformation(_ bits: Int) {
        precondition(bits >= 0 && bits < 1 << 15)
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 != 0 }
        for index in 0...5 { setFunctionModule(row: index, column: 8, dark: bit(index)) }
        setFunctionModule(row: 7, column: 8, dark: bit(6))
        setFunctionModule(row: 8, column: 8, dark: bit(7))
        setFunctionModule(row: 8, column: 7, dark: bit(8))
        for index in 9...14 { setFunctionModule(row: 8, column: 14 - index, dark: bit(index)) }
        for index in 0...7 { setFunctionModule(row: 8, column: size - 1 - index, dark: bit(index)) }
        for index in 8...14 { setFunctionModule(row: size - 15 + index, column: 8, dark: bit(index)) }
        setFunctionModule(row: size - 8, column: 8, dark: true)
    }

    /// The 18 version bits in two 6×3 blocks, for version 7 and above (§7.10, Figure 27).
    private mutating func drawVersionInformation() {
        guard version.number >= QRCodeVersion.versionInformationVersionMin else { return }
        let bits = QRCodeFormatInformation.versionBits(version.number)
        for index in 0..<18 {
            let dark = (bits >> index) & 1 != 0
            let near = index / 3
            let far = size - 11 + index % 3
            setFunctionModule(row: far, column: near, dark: dark)
            setFunctionModule(row: near, column: far, dark: dark)
        }
    }

    /// How many modules are left for data and remainder bits.
    var dataModuleCount: Int { isFunction.lazy.filter { !$0 }.count }
}
