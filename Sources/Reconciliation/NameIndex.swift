/// Students by normalised name, and the reading of names in a memo or payer name.
///
/// Names are compared as whole tokens in the order written: "NGUYEN VAN AN" matches the full name,
/// "NGUYEN AN" matches family and given name with middle names skipped, and a given name anywhere in a memo
/// that also writes the student's class ("CHAU AN LOP 3A") matches too. Word order is not tolerated
/// (Vietnamese memos write names family-first); a memo is scanned only where a token is a known
/// first token of some name, so the cost follows the memo's length, not the roster's.
struct NameIndex: Sendable {
    /// Longest name considered, in tokens (family, up to four middle names, given).
    static let nameTokensMax = 6
    /// A memo longer than this many tokens is read only up to it.
    static let memoTokensMax = 96

    private(set) var fullNames: [String: [Int]] = [:]
    private(set) var familyAndGivenNames: [String: [Int]] = [:]
    private(set) var guardianNames: [String: [Int]] = [:]
    private(set) var firstTokens = Set<Substring>()
    /// Normalised class name → its students (indexed ones only).
    private(set) var classMembers: [String: [Int]] = [:]
    private(set) var classFirstTokens = Set<Substring>()
    /// Per student index: the given name (last token), empty when not indexed.
    private(set) var givenNames: [Substring] = []

    /// Indexes active students and any student who still owes money.
    init(students: [MatchStudent], normalizedClasses: [String], invoicesOfStudent: [[Int]], invoices: [MatchInvoice]) {
        givenNames = [Substring](repeating: "", count: students.count)
        for (position, student) in students.enumerated() {
            let owes = invoicesOfStudent[position].contains { invoices[$0].outstanding.isPositive }
            guard student.isActive || owes else { continue }
            add(student.normalizedName, position: position, guardian: false)
            if let guardian = student.normalizedGuardianName { add(guardian, position: position, guardian: true) }
            let classTokens = normalizedClasses[position].split(separator: " ")
            guard let given = student.normalizedName.split(separator: " ").last,
                  (1...NameIndex.classTokensMax).contains(classTokens.count) else { continue }
            givenNames[position] = given
            classMembers[normalizedClasses[position], default: []].append(position)
            classFirstTokens.insert(classTokens[0])
        }
    }

    /// Longest class name considered, in tokens ("MAM 1", "10A1").
    static let classTokensMax = 2

    private mutating func add(_ name: String, position: Int, guardian: Bool) {
        let tokens = name.split(separator: " ")
        guard tokens.count >= 2, tokens.count <= NameIndex.nameTokensMax else { return }
        firstTokens.insert(tokens[0])
        if guardian {
            guardianNames[name, default: []].append(position)
            return
        }
        fullNames[name, default: []].append(position)
        if tokens.count >= 3 {
            familyAndGivenNames[tokens[0] + " " + tokens[tokens.count - 1], default: []].append(position)
        }
    }

    /// Every name of the index written in `text` (normalised), one hit per student and role, best quality kept.
    func hits(inNormalized text: String, source: TextSource) -> [NameHit] {
        let tokens = Array(text.split(separator: " ").prefix(NameIndex.memoTokensMax))
        var hits: [NameHit] = []
        for start in tokens.indices where firstTokens.contains(tokens[start]) {
            var key = String(tokens[start])
            let lengthMax = min(NameIndex.nameTokensMax, tokens.count - start)
            guard lengthMax >= 2 else { continue }
            for length in 2...lengthMax {
                key += " " + tokens[start + length - 1]
                for position in fullNames[key] ?? [] {
                    hits.append(NameHit(studentIndex: position, role: .student, quality: .fullName, tokenCount: length,
                                        text: key, source: source))
                }
                for position in guardianNames[key] ?? [] {
                    hits.append(NameHit(studentIndex: position, role: .guardian, quality: .fullName, tokenCount: length,
                                        text: key, source: source))
                }
                if length == 2 {
                    for position in familyAndGivenNames[key] ?? [] {
                        hits.append(NameHit(studentIndex: position, role: .student, quality: .familyAndGivenName,
                                            tokenCount: length, text: key, source: source))
                    }
                }
            }
        }
        return hits + classHits(tokens, source: source)
    }

    /// Students whose class is written in the text and whose given name is one of its tokens.
    private func classHits(_ tokens: [Substring], source: TextSource) -> [NameHit] {
        var hits: [NameHit] = []
        var tokenSet: Set<Substring>?
        for start in tokens.indices where classFirstTokens.contains(tokens[start]) {
            var key = String(tokens[start])
            for length in 1...min(NameIndex.classTokensMax, tokens.count - start) {
                if length > 1 { key += " " + tokens[start + length - 1] }
                guard let members = classMembers[key] else { continue }
                if tokenSet == nil { tokenSet = Set(tokens) }
                for position in members where tokenSet!.contains(givenNames[position]) {
                    hits.append(NameHit(studentIndex: position, role: .student, quality: .givenNameAndClass,
                                        tokenCount: length + 1, text: givenNames[position] + " / " + key, source: source))
                }
            }
        }
        return hits
    }
}

struct NameHit: Hashable, Sendable {
    var studentIndex: Int
    var role: NameRole
    var quality: NameQuality
    var tokenCount: Int
    var text: String
    var source: TextSource

    /// Full names before family-and-given names, longer matches first, memo before payer name.
    static func isStronger(_ a: NameHit, _ b: NameHit) -> Bool {
        if a.quality != b.quality { return a.quality.strength > b.quality.strength }
        if a.tokenCount != b.tokenCount { return a.tokenCount > b.tokenCount }
        if a.role != b.role { return a.role == .student }
        return a.source == .memo && b.source == .payerName
    }
}
