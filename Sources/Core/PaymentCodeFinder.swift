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
    public func candidates(inNormalizedMemo memo: String) -> [Candidate] {
        let words = memo.utf8.prefix(PaymentCodeFinder.memoBytesMax).split(separator: UInt8(ascii: " "))
        var joined: [UInt8] = []
        var wordStarts = Set<Int>()
        var wordEnds = Set<Int>()
        for word in words {
            wordStarts.insert(joined.count)
            joined += word
            wordEnds.insert(joined.count)
        }
        let prefixBytes = Array(prefix.utf8)
        var seen = Set<String>()
        var valid: [Candidate] = []
        var damaged: [Candidate] = []
        var start = 0
        while start + prefixBytes.count <= joined.count {
            defer { start += 1 }
            guard joined[start..<(start + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
            for kind in PaymentCodeKind.allCases {
                let end = start + kind.codeLength(prefixLength: prefixBytes.count)
                guard end <= joined.count else { continue }
                let text = String(decoding: joined[start..<end], as: UTF8.self)
                let isValid = PaymentCode.isValid(text, prefix: prefix) == kind
                let aligned = wordStarts.contains(start) && wordEnds.contains(end)
                // A damaged code is only worth repairing where it stands as a word of its own.
                guard isValid || aligned, seen.insert(text).inserted else { continue }
                let candidate = Candidate(text: text, kind: kind, isValid: isValid, isWordAligned: aligned)
                if isValid { valid.append(candidate) } else { damaged.append(candidate) }
            }
        }
        return valid + damaged
    }
}
