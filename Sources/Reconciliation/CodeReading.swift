import Core

/// The payment codes read from a transaction's memo and payer name.
struct CodeReading: Sendable {
    /// Every code-shaped text with a valid check character, and what it names.
    var signals: [CodeSignal] = []
    /// The records named by the codes used, in the order the codes were chosen.
    var targets: [CodeTarget] = []
    /// Word-aligned code-shaped texts whose check character fails: candidates for repair.
    var damaged: [DamagedCode] = []
}

struct DamagedCode: Hashable, Sendable {
    var text: String
    var kind: PaymentCodeKind
    var source: TextSource
}

extension MatchContext {
    /// Reads codes from normalised texts, keeping only codes of this school's records.
    ///
    /// When two readings overlap (the first characters of an invoice code can pass the check as a student
    /// code one time in 32), the stronger wins: word-aligned before not aligned, longer before shorter,
    /// earlier before later. Codes that do not overlap are all used: a memo may name several siblings.
    func readCodes(in texts: [(source: TextSource, text: String)]) -> CodeReading {
        var reading = CodeReading()
        for (source, text) in texts where !text.isEmpty {
            let candidates = finder.candidates(inNormalizedMemo: text)
            guard !candidates.isEmpty else { continue }
            let joined = MatchContext.joinedWords(text)
            var found: [FoundCode] = []
            for candidate in candidates {
                guard candidate.isValid else {
                    reading.damaged.append(DamagedCode(text: candidate.text, kind: candidate.kind, source: source))
                    continue
                }
                let start = MatchContext.firstIndex(of: Array(candidate.text.utf8), in: joined) ?? 0
                found.append(FoundCode(candidate: candidate, start: start, target: codeTargets[candidate.text]))
            }
            let used = MatchContext.chooseNonOverlapping(found)
            for (offset, code) in found.enumerated() {
                reading.signals.append(signal(for: code, source: source, isUsed: used.contains(offset)))
            }
            for offset in used.sorted(by: { found[$0].start < found[$1].start }) {
                reading.targets.append(found[offset].target!)
            }
        }
        return reading
    }

    private func signal(for code: FoundCode, source: TextSource, isUsed: Bool) -> CodeSignal {
        var signal = CodeSignal(
            text: code.candidate.text, kind: code.candidate.kind, source: source, checkValid: true,
            isWordAligned: code.candidate.isWordAligned, studentId: nil, invoiceId: nil, isUsed: isUsed)
        switch code.target {
        case .student(let student): signal.studentId = students[student].id
        case .invoice(let invoice):
            signal.invoiceId = invoices[invoice].id
            signal.studentId = invoices[invoice].studentId
        case nil: break
        }
        return signal
    }

    /// Offsets of the existing codes kept, strongest first, none overlapping another kept one.
    static func chooseNonOverlapping(_ found: [FoundCode]) -> Set<Int> {
        let order = found.indices.filter { found[$0].target != nil }.sorted { a, b in
            let x = found[a], y = found[b]
            if x.candidate.isWordAligned != y.candidate.isWordAligned { return x.candidate.isWordAligned }
            if x.length != y.length { return x.length > y.length }
            return x.start < y.start
        }
        var kept = Set<Int>()
        for offset in order {
            let code = found[offset]
            let overlaps = kept.contains { other in
                found[other].start < code.start + code.length && code.start < found[other].start + found[other].length
            }
            if !overlaps { kept.insert(offset) }
        }
        return kept
    }

    /// The memo's words joined without separators, as `PaymentCodeFinder` reads them.
    static func joinedWords(_ text: String) -> [UInt8] {
        var joined: [UInt8] = []
        joined.reserveCapacity(min(text.utf8.count, PaymentCodeFinder.memoBytesMax))
        for byte in text.utf8.prefix(PaymentCodeFinder.memoBytesMax) where byte != UInt8(ascii: " ") {
            joined.append(byte)
        }
        return joined
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}

struct FoundCode: Sendable {
    var candidate: PaymentCodeFinder.Candidate
    var start: Int
    var target: CodeTarget?
    var length: Int { candidate.text.utf8.count }
}
