import TestSupport
import Testing
@testable import VietQR

@Suite struct QRCodeMaskTests {
    /// A grid from rows of `#` (dark) and `.` (light).
    static func grid(_ rows: [String]) -> (Int, Int) -> Bool {
        let cells = rows.map { Array($0).map { $0 == "#" } }
        return { cells[$0][$1] }
    }

    static func line(_ text: String) -> (Int) -> Bool {
        let cells = Array(text).map { $0 == "#" }
        return { cells[$0] }
    }

    @Test func runPenaltyN1() {
        #expect(QRCodePenalty.runPenalty(size: 10, Self.line("#.#.#.#.#.")) == 0)
        #expect(QRCodePenalty.runPenalty(size: 10, Self.line("#####.#.#.")) == 3)
        #expect(QRCodePenalty.runPenalty(size: 11, Self.line("#.#.#######")) == 3 + 2)
        #expect(QRCodePenalty.runPenalty(size: 12, Self.line("#####.######")) == 3 + 3 + 1)
        #expect(QRCodePenalty.runPenalty(size: 10, Self.line("..........")) == 3 + 5)
        #expect(QRCodePenalty.runPenalty(size: 10, Self.line("####.....#")) == 3)
    }

    @Test func blockPenaltyN2() {
        #expect(QRCodePenalty.blockPenalties(Self.grid(["###", "###", "###"]), size: 3) == 4 * 3)
        #expect(QRCodePenalty.blockPenalties(Self.grid(["#.#", ".#.", "#.#"]), size: 3) == 0)
        #expect(QRCodePenalty.blockPenalties(Self.grid(["..#", "..#", "##."]), size: 3) == 3)
    }

    @Test func finderLikePenaltyN3() {
        #expect(QRCodePenalty.finderLikePenalty(size: 15, Self.line("##..#.###.#....")) == 40)
        #expect(QRCodePenalty.finderLikePenalty(size: 15, Self.line("....#.###.#..##")) == 40)
        #expect(QRCodePenalty.finderLikePenalty(size: 15, Self.line("##..#.###.#..##")) == 0)
        // Both sides light: the pattern is found in both directions.
        #expect(QRCodePenalty.finderLikePenalty(size: 15, Self.line("....#.###.#....")) == 80)
        // At the edge the quiet zone supplies the light modules.
        #expect(QRCodePenalty.finderLikePenalty(size: 7, Self.line("#.###.#")) == 80)
        #expect(QRCodePenalty.finderLikePenalty(size: 13, Self.line("..#.##..#....")) == 0)
        #expect(QRCodePenalty.finderLikePenalty(size: 13, Self.line("#.#.###.#.#.#")) == 0)
    }

    @Test func balancePenaltyN4() {
        #expect(QRCodePenalty.balancePenalty(Self.grid(["##", "##"]), size: 2) == 100)
        #expect(QRCodePenalty.balancePenalty(Self.grid(["#.", ".#"]), size: 2) == 0)
        // 55 of 100 dark: the first step away from 50 %, 10 points; 54 of 100: none.
        let fiftyFive = Self.grid((0..<10).map { row in String((0..<10).map { row * 10 + $0 < 55 ? "#" : "." }) })
        #expect(QRCodePenalty.balancePenalty(fiftyFive, size: 10) == 10)
        let fiftyFour = Self.grid((0..<10).map { row in String((0..<10).map { row * 10 + $0 < 54 ? "#" : "." }) })
        #expect(QRCodePenalty.balancePenalty(fiftyFour, size: 10) == 0)
        let thirtyFive = Self.grid((0..<10).map { row in String((0..<10).map { row * 10 + $0 < 35 ? "#" : "." }) })
        #expect(QRCodePenalty.balancePenalty(thirtyFive, size: 10) == 30)
    }

    /// The encoder keeps the mask with the lowest penalty among the eight.
    @Test func encoderChoosesTheLowestPenalty() throws {
        var generator = SplitMix64(seed: 42)
        for count in [1, 14, 30, 61, 100, 150, 213] {
            let data = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let chosen = try QRCodeEncoder.encode(data)
            var penalties: [Int] = []
            for mask in 0..<8 {
                let forced = try QRCodeEncoder.encode(data, forcedMask: mask)
                penalties.append(QRCodePenalty.score({ forced[$0, $1] }, size: forced.size).total)
            }
            #expect(chosen == (try QRCodeEncoder.encode(data, forcedMask: chosen.mask)))
            #expect(penalties[chosen.mask] == penalties.min(), "\(count) bytes: \(penalties)")
            #expect(Set(penalties).count > 1, "masks must change the score")
        }
    }

    /// Masks invert data modules only and undo themselves.
    @Test func masksTouchOnlyDataModules() {
        let version = QRCodeVersion.version(7)
        let blank = QRCodeCanvas(version: version)
        for mask in 0..<8 {
            var canvas = blank
            QRCodeMask.apply(mask, to: &canvas)
            var inverted = 0
            for row in 0..<canvas.size {
                for column in 0..<canvas.size where canvas[row, column] != blank[row, column] {
                    #expect(!blank.isFunctionModule(row: row, column: column))
                    inverted += 1
                }
            }
            #expect(inverted > blank.dataModuleCount / 4 && inverted < blank.dataModuleCount * 3 / 4, "mask \(mask)")
            QRCodeMask.apply(mask, to: &canvas)
            #expect(canvas.modules == blank.modules)
        }
    }
}
