/// The penalty score of a masked symbol (ISO/IEC 18004 §7.8.3, Table 11); the encoder keeps the mask with the lowest.
enum QRCodePenalty {
    static let runLengthMin = 5
    static let runPenaltyBase = 3 // N1
    static let blockPenalty = 3 // N2
    static let finderLikePenalty = 40 // N3
    static let balancePenaltyPerStep = 10 // N4

    /// The finder-like pattern 1:1:3:1:1 followed by 4 light modules; its mirror image is checked too.
    static let finderLikePattern: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]

    struct Score: Equatable {
        var runs = 0
        var blocks = 0
        var finderLike = 0
        var balance = 0
        var total: Int { runs + blocks + finderLike + balance }
    }

    static func score(_ dark: (Int, Int) -> Bool, size: Int) -> Score {
        var score = Score()
        for line in 0..<size {
            score.runs += runPenalty(size: size) { dark(line, $0) } + runPenalty(size: size) { dark($0, line) }
            score.finderLike += finderLikePenalty(size: size) { dark(line, $0) }
                + finderLikePenalty(size: size) { dark($0, line) }
        }
        score.blocks = blockPenalties(dark, size: size)
        score.balance = balancePenalty(dark, size: size)
        return score
    }

    /// N1: each run of 5 or more same-coloured modules in a line scores 3 plus 1 per module beyond 5.
    static func runPenalty(size: Int, _ dark: (Int) -> Bool) -> Int {
        var penalty = 0
        var runLength = 1
        for index in 1...size {
            if index < size && dark(index) == dark(index - 1) {
                runLength += 1
                continue
            }
            if runLength >= runLengthMin { penalty += runPenaltyBase + runLength - runLengthMin }
            runLength = 1
        }
        return penalty
    }

    /// N2: each 2×2 block of one colour scores 3 (overlapping blocks each count).
    static func blockPenalties(_ dark: (Int, Int) -> Bool, size: Int) -> Int {
        var penalty = 0
        for row in 0..<size - 1 {
            for column in 0..<size - 1 {
                let colour = dark(row, column)
                if dark(row, column + 1) == colour && dark(row + 1, column) == colour && dark(row + 1, column + 1) == colour {
                    penalty += blockPenalty
                }
            }
        }
        return penalty
    }

    /// N3: each dark-light-dark×3-light-dark with 4 light modules on one side scores 40.
    /// Modules beyond the edge count as light: the quiet zone is light.
    static func finderLikePenalty(size: Int, _ dark: (Int) -> Bool) -> Int {
        let width = finderLikePattern.count
        func module(_ index: Int) -> Bool { index >= 0 && index < size && dark(index) }
        var penalty = 0
        for start in -(width - 1)..<size {
            var forward = true
            var backward = true
            for offset in 0..<width {
                let value = module(start + offset)
                if value != finderLikePattern[offset] { forward = false }
                if value != finderLikePattern[width - 1 - offset] { backward = false }
            }
            if forward { penalty += finderLikePenalty }
            if backward { penalty += finderLikePenalty }
        }
        return penalty
    }

    /// N4: 10 points for each full 5 % step the share of dark modules is away from 50 %.
    static func balancePenalty(_ dark: (Int, Int) -> Bool, size: Int) -> Int {
        var darkCount = 0
        for row in 0..<size {
            for column in 0..<size where dark(row, column) { darkCount += 1 }
        }
        let total = size * size
        // |dark/total − 1/2| / 5 % = |20·dark − 10·total| / total, rounded down.
        let steps = abs(20 * darkCount - 10 * total) / total
        return steps * balancePenaltyPerStep
    }
}
