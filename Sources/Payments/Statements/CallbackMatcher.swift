/// Pairs statement lines with the provisional callbacks they confirm. Pure: no database.
///
/// A line may confirm a callback on the same bank account with the same direction and amount,
/// booked within `windowDays` of it. Candidates are ranked by tier — an equal reference (the line's
/// bank or customer reference equals the callback's bank reference or provider transaction id),
/// then similar memos (normalised memos equal, or one containing the other, compared without their
/// spaces: a bank wraps `:86:` text at 65 characters, even inside a payment code), then neither — and
/// within a tier by the closest date, then the lowest callback id. Each callback is confirmed once.
///
/// Reference and memo pairs are assigned best-first over all lines given (closest date first, then
/// file order); the remaining lines then take, in file order, the closest unused callback. A line
/// with two or more equally good unused candidates is reported as ambiguous (the lowest id wins).
struct CallbackMatcher {
    struct Callback: Sendable {
        var id: Int64
        var isIncoming: Bool
        var amount: Int64
        var day: Int
        /// The normalised memo without its spaces.
        var memoLetters: [UInt8]
        var references: [String]

        init(id: Int64, isIncoming: Bool, amount: Int64, day: Int, normalizedMemo: [UInt8], references: [String]) {
            self.id = id
            self.isIncoming = isIncoming
            self.amount = amount
            self.day = day
            self.memoLetters = CallbackMatcher.letters(normalizedMemo)
            self.references = references
        }
    }

    struct Line: Sendable {
        var seq: Int
        /// Signed: positive for money in.
        var amount: Int64
        var day: Int
        /// The normalised memo without its spaces.
        var memoLetters: [UInt8]
        var references: [String]

        init(seq: Int, amount: Int64, day: Int, normalizedMemo: [UInt8], references: [String]) {
            self.seq = seq
            self.amount = amount
            self.day = day
            self.memoLetters = CallbackMatcher.letters(normalizedMemo)
            self.references = references
        }
    }

    struct Confirmation: Hashable, Sendable {
        var seq: Int
        var callbackID: Int64
        /// 0 reference, 1 memo, 2 amount and date only.
        var tier: Int
        /// Other unused callbacks exactly as good when this one was taken.
        var equallyGood: [Int64]
    }

    let windowDays: Int
    private let callbacks: [Callback]
    /// Callback indices by direction and amount, ordered by day then id.
    private let byAmount: [Key: [Int]]
    private var used: [Bool]

    struct Key: Hashable {
        var isIncoming: Bool
        var amount: Int64
    }

    init(callbacks: [Callback], windowDays: Int) {
        precondition(windowDays >= 0, "the window cannot be negative")
        self.windowDays = windowDays
        self.callbacks = callbacks
        var byAmount: [Key: [Int]] = [:]
        for (index, callback) in callbacks.enumerated() {
            byAmount[Key(isIncoming: callback.isIncoming, amount: callback.amount), default: []].append(index)
        }
        for key in byAmount.keys {
            byAmount[key]!.sort { (callbacks[$0].day, callbacks[$0].id) < (callbacks[$1].day, callbacks[$1].id) }
        }
        self.byAmount = byAmount
        self.used = Array(repeating: false, count: callbacks.count)
    }

    /// Matches `lines` (in file order) against the callbacks not used by earlier calls.
    mutating func match(_ lines: [Line]) -> [Confirmation] {
        var confirmations: [Confirmation] = []
        var matched = Set<Int>()
        for tier in 0...1 {
            confirmations += bestFirst(lines, tier: tier, matched: &matched)
        }
        for line in lines where !matched.contains(line.seq) {
            let candidates = unusedCandidates(of: line).map { (index: $0, distance: abs(callbacks[$0].day - line.day)) }
            guard let best = candidates.min(by: { rank($0, $1) }) else { continue }
            confirmations.append(take(best.index, for: line, tier: 2, equal: candidates.filter { $0.distance == best.distance }.map(\.index)))
            matched.insert(line.seq)
        }
        return confirmations.sorted { $0.seq < $1.seq }
    }

    /// Assigns the pairs of one tier, closest date first, then file order, then lowest id.
    private mutating func bestFirst(_ lines: [Line], tier: Int, matched: inout Set<Int>) -> [Confirmation] {
        var pairs: [(line: Int, index: Int, distance: Int)] = []
        for (position, line) in lines.enumerated() where !matched.contains(line.seq) {
            for index in unusedCandidates(of: line) where CallbackMatcher.tier(line, callbacks[index]) == tier {
                pairs.append((position, index, abs(callbacks[index].day - line.day)))
            }
        }
        pairs.sort { ($0.distance, $0.line, callbacks[$0.index].id) < ($1.distance, $1.line, callbacks[$1.index].id) }
        let pairsOfLine = Dictionary(grouping: pairs, by: \.line)
        var confirmations: [Confirmation] = []
        for pair in pairs where !used[pair.index] && !matched.contains(lines[pair.line].seq) {
            let equal = pairsOfLine[pair.line]!.filter { $0.distance == pair.distance && !used[$0.index] }.map(\.index)
            confirmations.append(take(pair.index, for: lines[pair.line], tier: tier, equal: equal))
            matched.insert(lines[pair.line].seq)
        }
        return confirmations
    }

    private mutating func take(_ index: Int, for line: Line, tier: Int, equal: [Int]) -> Confirmation {
        precondition(!used[index], "a callback is confirmed once")
        used[index] = true
        let others = equal.filter { $0 != index }.map { callbacks[$0].id }.sorted()
        return Confirmation(seq: line.seq, callbackID: callbacks[index].id, tier: tier, equallyGood: others)
    }

    private func rank(_ a: (index: Int, distance: Int), _ b: (index: Int, distance: Int)) -> Bool {
        (a.distance, callbacks[a.index].id) < (b.distance, callbacks[b.index].id)
    }

    /// Unused callbacks of the line's direction and amount within the window.
    private func unusedCandidates(of line: Line) -> [Int] {
        // Amounts are bounded by the ledger's ±10^15 đồng: abs cannot overflow.
        guard let indices = byAmount[Key(isIncoming: line.amount > 0, amount: abs(line.amount))] else { return [] }
        var found: [Int] = []
        var low = 0, high = indices.count
        // First callback on or after the window's first day.
        while low < high {
            let middle = (low + high) / 2
            if callbacks[indices[middle]].day < line.day - windowDays { low = middle + 1 } else { high = middle }
        }
        var position = low
        while position < indices.count && callbacks[indices[position]].day <= line.day + windowDays {
            if !used[indices[position]] { found.append(indices[position]) }
            position += 1
        }
        return found
    }

    /// The tier of a pair: 0 when a reference is equal, 1 when the memos are similar, 2 otherwise.
    static func tier(_ line: Line, _ callback: Callback) -> Int {
        if !line.references.isEmpty && line.references.contains(where: callback.references.contains) { return 0 }
        return CallbackMatcher.similar(line.memoLetters, callback.memoLetters) ? 1 : 2
    }

    /// A normalised memo (upper-case letters and digits, single spaces) without its spaces.
    static func letters(_ normalizedMemo: [UInt8]) -> [UInt8] {
        normalizedMemo.filter { $0 != UInt8(ascii: " ") }
    }

    /// Memos (without spaces) equal, or one containing the other; empty memos are never similar.
    static func similar(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        return a.count >= b.count ? StatementText.contains(a, b) : StatementText.contains(b, a)
    }
}
