import Core

/// What a memo may mention besides the code.
struct MemoFacts {
    /// With diacritics.
    var studentName: String
    var className: String
    /// As the bank shows it (ASCII upper case), nil when unknown.
    var payerName: String?
    var month: Int
    var schoolName: String
}

/// Bank memos as they arrive (docs/domain.md §2): codes wrapped in bank prefixes and suffixes, upper or lower case,
/// with or without diacritics, split, truncated, or no code at all.
enum MemoWriter {
    /// A VietQR memo holds at most this many characters.
    static let vietQRMemoCharactersMax = 25
    static let styleCount = 7

    static func upper(_ text: String) -> String { VietnameseText.normalized(text) }

    /// The code as a word of its own inside one of several bank layouts.
    static func wrapped(code: String, facts: MemoFacts, random: inout SeededRandom) -> String {
        let student = upper(facts.studentName)
        let payer = facts.payerName ?? "KHACH HANG"
        switch random.below(styleCount) {
        case 0:
            return String("\(code) \(student)".prefix(vietQRMemoCharactersMax))
        case 1:
            return "MBVCB.\(random.digits(10)).\(random.digits(6)).\(code) \(student).CT tu \(random.digits(13)) \(payer) toi "
                + "\(random.digits(13)) \(upper(facts.schoolName))"
        case 2:
            return "TKThe :\(random.digits(4)), tai VCB. \(code) HOC PHI T\(facts.month) \(student) "
                + "-CTLNHIDI\(random.digits(15))-\(random.digits(2))-CRE-002"
        case 3:
            return "\(payer) chuyen tien \(code) hoc phi thang \(facts.month) FT\(random.digits(14))"
        case 4:
            return "REM Tfr Ac: \(random.digits(14)) \(code) \(student) nop hoc phi"
        case 5:
            return "IBFT \(code) \(student) LOP \(upper(facts.className))"
        default:
            return "\(student) \(upper(facts.className)) \(code) GD \(random.digits(6))-\(random.digits(6))"
        }
    }

    /// Lower case with diacritics, as a parent types it in a banking app.
    static func lowercaseDiacritics(code: String, facts: MemoFacts, random: inout SeededRandom) -> String {
        let name = facts.studentName.lowercased()
        if random.chance(perMille: 500) {
            return "nộp học phí tháng \(facts.month) cho con \(name) lớp \(facts.className.lowercased()) mã \(code.lowercased())"
        }
        return "\(code.lowercased()) học phí \(name)"
    }

    /// The code broken by dots or spaces at one or two places.
    static func split(code: String, facts: MemoFacts, random: inout SeededRandom) -> String {
        let characters = Array(code)
        var cuts = Set([1 + random.below(characters.count - 1)])
        if random.chance(perMille: 400) { cuts.insert(1 + random.below(characters.count - 1)) }
        let separator: Character = random.chance(perMille: 500) ? "." : " "
        var text = ""
        for (index, character) in characters.enumerated() {
            if cuts.contains(index) { text.append(separator) }
            text.append(character)
        }
        return random.chance(perMille: 500) ? "HOC PHI \(text) \(upper(facts.studentName))" : "\(text) hoc phi T\(facts.month)"
    }

    /// Cut right after the code, as some channels do.
    static func truncatedAfter(code: String, random: inout SeededRandom) -> String {
        switch random.below(3) {
        case 0: return "MBVCB.\(random.digits(10)).\(random.digits(6)).\(code)"
        case 1: return "TKThe :\(random.digits(4)), tai VCB. \(code)"
        default: return "IBFT \(code)"
        }
    }

    /// No code: the student's name, sometimes the class.
    static func studentName(facts: MemoFacts, random: inout SeededRandom) -> String {
        let student = upper(facts.studentName)
        let tokens = student.split(separator: " ")
        switch random.below(6) {
        case 4: return "HOC PHI CHAU \(tokens.first!) \(tokens.last!) T\(facts.month)"
        case 5: return givenNameAndClass(facts: facts)
        case 0: return "HOC PHI THANG \(facts.month) \(student) LOP \(upper(facts.className))"
        case 1: return "\(student) NOP TIEN HOC"
        case 2: return "nộp tiền học tháng \(facts.month) cho cháu \(facts.studentName)"
        default:
            return "MBVCB.\(random.digits(10)).\(random.digits(6)).HOC PHI \(student).CT tu \(random.digits(13)) "
                + "\(facts.payerName ?? "KHACH HANG") toi \(random.digits(13))"
        }
    }

    /// Only the child's given name and class, as a parent who is not on record writes it.
    static func givenNameAndClass(facts: MemoFacts) -> String {
        let given = upper(facts.studentName).split(separator: " ").last!
        return "HOC PHI CON \(given) LOP \(upper(facts.className))"
    }

    /// No code and no student name.
    static func generic(facts: MemoFacts, random: inout SeededRandom) -> String {
        switch random.below(5) {
        case 0: return "CHUYEN TIEN HOC PHI"
        case 1: return "NOP HOC PHI CHO CON LOP \(upper(facts.className))"
        case 2: return "IBFT \(random.digits(12))"
        case 3: return "HOC PHI T\(facts.month)"
        default: return "CHUYEN KHOAN"
        }
    }

    /// One transfer for several children, by their codes.
    static func siblingCodes(_ codes: [String], facts: MemoFacts, random: inout SeededRandom) -> String {
        let list = codes.joined(separator: random.chance(perMille: 500) ? " " : " VA ")
        switch random.below(3) {
        case 0: return "HOC PHI \(list)"
        case 1: return "MBVCB.\(random.digits(10)).\(random.digits(6)).\(list) HP T\(facts.month).CT tu \(random.digits(13))"
        default: return "\(list.lowercased()) nộp học phí \(codes.count) cháu"
        }
    }
}
