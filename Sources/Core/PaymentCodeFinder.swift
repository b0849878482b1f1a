/// Finds payment codes in a normalised transfer memo (see `VietnameseText.normalized`).
///
/// Memos wrap the code in bank prefixes and suffixes, split it with dots or spaces,
/// or cut the text right after it. The finder joins the memo's words and reads a
/// code of each kind's length at every place where the school's prefix starts.
/// It reports codes whose check symbol validates and, separately, code-shaped
/// strings whose check fails (candidates for repair by the matcher).
public struct PaymentCodeFinder: Sendable {
    public let prefix: String

    /// A memo longer than this is read only up to it: bank memos are short.
    public static let memoBytesMax = 512

    public init(prefix: String) throws(PaymentCodeError) {
        try PaymentCode.validatePrefix(prefix)
        self.prefix = prefix
    }

    public struct Candidate: Hashable, Sendable {
        /// The code-shaped text as read.
        public var text: String
        public var kind: PaymentCodeKind
        /// True when the check symbol validates.
        public var isValid: Bool
        /// True when the text starts at the start of a memo word and ends at the end of one.
        public var isWordAligned: Bool
    }

    /// Every code-shaped string in the memo, valid ones first, each text once.
    ///
    /// Read on the memo's bytes: a String is made only for a place kept as a candidate (a valid code, or
    /// a damaged one standing as a word), and word edges are flags by position rather than sets.
    public func candidates(inNormalizedMemo memo: String) -> [Candidate] {
        let (joined, edges) = PaymentCodeFinder.joinedWords(memo)
        let prefixBytes = Array(prefix.utf8)
        var valid: [Candidate] = []
        var damaged: [Candidate] = []
        var start = 0
        while start + prefixBytes.count <= joined.count {
            defer { start += 1 }
            guard joined[start..<(start + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
            for kind in PaymentCodeKind.allCases {
                let end = start + kind.codeLength(prefixLength: prefixBytes.count)
                guard end <= joined.count else { continue }
                let isValid = PaymentCode.isValid(utf8: joined[start..<end], prefix: prefixBytes) == kind
                let aligned = edges[start] & PaymentCodeFinder.wordStart != 0 && edges[end] & PaymentCodeFinder.wordEnd != 0
                // A damaged code is only worth repairing where it stands as a word of its own.
                guard isValid || aligned else { continue }
                let text = String(decoding: joined[start..<end], as: UTF8.self)
                // Each text once. A memo holds a handful of candidates: a look through them costs less than a set.
                guard !valid.contains(where: { $0.text == text }) && !damaged.contains(where: { $0.text == text }) else { continue }
                let candidate = Candidate(text: text, kind: kind, isValid: isValid, isWordAligned: aligned)
                if isValid { valid.append(candidate) } else { damaged.append(candidate) }
            }
        }
        return valid + damaged
    }

    static let wordStart: UInt8 = 1
    static let wordEnd: UInt8 = 2

    /// The memo's words (split at spaces, empty ones left out) joined without them, up to `memoBytesMax`
    /// bytes of the memo, and per position of the joined bytes (and one past the end) whether a word
    /// starts or ends there.
    static func joinedWords(_ memo: String) -> (joined: [UInt8], edges: [UInt8]) {
        var joined: [UInt8] = []
        joined.reserveCapacity(min(memo.utf8.count, memoBytesMax))
        var edges: [UInt8] = [0]
        edges.reserveCapacity(min(memo.utf8.count, memoBytesMax) + 1)
        var inWord = false
        var memo = memo
        memo.withUTF8 { bytes in
            for byte in bytes.prefix(memoBytesMax) {
                if byte == UInt8(ascii: " ") {
                    if inWord { edges[joined.count] |= wordEnd }
                    inWord = false
                    continue
                }
                if !inWord { edges[joined.count] |= wordStart }
                inWord = true
                joined.append(byte)
                edges.append(0)
            }
        }
        if inWord { edges[joined.count] |= wordEnd }
        return (joined, edges)
    }
}
