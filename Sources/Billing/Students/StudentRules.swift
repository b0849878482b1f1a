import Core
import Ledger

/// One field that does not fit its rule.
public struct FieldProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

/// Cleans and checks a student's details; the same rules for the API, the CLI and roster imports.
public enum StudentRules {
    public static let codeCharactersMax = 32
    public static let classCharactersMax = 20
    public static let categoryCharactersMax = 32
    public static let familyKeyCharactersMax = 64
    public static let virtualAccountCharactersMax = 19
    public static let phoneDigitsMin = 8
    public static let phoneDigitsMax = 15
    /// Students born before this year are taken for a typing mistake.
    public static let birthYearMin = 1940

    /// Trims white space, collapses runs of spaces, upper-cases virtual accounts and strips phone punctuation.
    public static func cleaned(_ details: StudentDetails) -> StudentDetails {
        var clean = details
        clean.code = collapse(details.code)
        clean.fullName = collapse(details.fullName)
        clean.className = collapse(details.className)
        clean.category = collapse(details.category).lowercased()
        if clean.category.isEmpty { clean.category = StudentDetails.standardCategory }
        clean.guardianName = details.guardianName.map(collapse).flatMap { $0.isEmpty ? nil : $0 }
        clean.guardianPhone = details.guardianPhone.map { String($0.filter { !" .-()".contains($0) }) }.flatMap { $0.isEmpty ? nil : $0 }
        clean.familyKey = details.familyKey.map(collapse).flatMap { $0.isEmpty ? nil : $0 }
        clean.virtualAccount = details.virtualAccount.map { String($0.filter { $0 != " " }).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        return clean
    }

    /// Every rule the (cleaned) details break; empty when they are acceptable for a school of `level`.
    public static func problems(_ details: StudentDetails, level: SchoolLevel, today: CalendarDate) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ ok: Bool, _ field: String, _ problem: String) {
            if !ok { problems.append(FieldProblem(field: field, problem: problem)) }
        }
        check(isCode(details.code), "student_code",
              "1 to \(codeCharactersMax) letters, digits or . _ / - (starting with a letter or digit), not '\(details.code)'")
        check(!details.fullName.isEmpty && details.fullName.count <= BillingLimits.nameCharactersMax
              && !VietnameseText.normalized(details.fullName).isEmpty && !hasControl(details.fullName),
              "full_name", "1 to \(BillingLimits.nameCharactersMax) characters with at least one letter")
        if let birth = details.dateOfBirth {
            check(birth.year >= birthYearMin && !isAfterToday(birth: birth, today: today), "date_of_birth",
                  "\(birth.vietnamese) is not a plausible date of birth")
        }
        check(!details.className.isEmpty && details.className.count <= classCharactersMax && !hasControl(details.className),
              "class", "1 to \(classCharactersMax) characters")
        check(level.grades.contains(details.grade), "grade",
              "\(details.grade) is not a grade of a \(level.rawValue) school (\(level.grades.lowerBound)–\(level.grades.upperBound))")
        check(isCategory(details.category), "category",
              "'\(details.category)' must be 1 to \(categoryCharactersMax) lower-case letters, digits or _, starting with a letter")
        if let guardian = details.guardianName {
            check(guardian.count <= BillingLimits.nameCharactersMax && !hasControl(guardian), "guardian_name",
                  "at most \(BillingLimits.nameCharactersMax) characters")
        }
        if let phone = details.guardianPhone {
            check(isPhone(phone), "guardian_phone", "'\(phone)' is not a phone number (\(phoneDigitsMin) to \(phoneDigitsMax) digits, optional leading +)")
        }
        if let key = details.familyKey {
            check(key.count <= familyKeyCharactersMax && !hasControl(key), "family_key", "at most \(familyKeyCharactersMax) characters")
        }
        if let account = details.virtualAccount {
            check((1...virtualAccountCharactersMax).contains(account.utf8.count)
                  && account.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) },
                  "virtual_account", "'\(account)' must be 1 to \(virtualAccountCharactersMax) digits or letters")
        }
        return problems
    }

    /// A date of birth after `today`: the clock's to refuse (409 over the API: the document bounds the year by
    /// `birthDatePattern`, not by the day the request arrives), not the request's.
    public static func isAfterToday(birth: CalendarDate?, today: CalendarDate) -> Bool {
        birth.map { $0 > today } ?? false
    }

    /// Cleans, then throws the first problem.
    static func validated(_ details: StudentDetails, level: SchoolLevel) throws(BillingError) -> StudentDetails {
        let clean = cleaned(details)
        if let problem = problems(clean, level: level, today: VietnamTime.today).first {
            throw .invalidField(field: problem.field, problem: problem.problem)
        }
        return clean
    }

    static func isCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...codeCharactersMax).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "-") }
    }

    static func isCategory(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...categoryCharactersMax).contains(bytes.count), bytes[0] >= 0x61 && bytes[0] <= 0x7A else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") }
    }

    static func isPhone(_ text: String) -> Bool {
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return (phoneDigitsMin...phoneDigitsMax).contains(digits.utf8.count) && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// The white space `collapse` removes (Unicode White_Space, what `Character.isWhitespace` tests), as the body of a
    /// regular-expression class; and the control characters `hasControl` finds (general category Cc).
    static let whitespaceClass = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000\\u2001\\u2002-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
    static let controlClass = "\\u0000-\\u001F\\u007F-\\u009F"
    /// Text that `collapse` leaves non-empty: some character that is not white space (an unanchored pattern).
    public static let visiblePattern = "[^" + whitespaceClass + "]"
    /// Text that `collapse` leaves non-empty and `hasControl` passes: no control character, and one that is not white space.
    public static let visibleNoControlPattern = "^[^" + controlClass + "]*[^" + controlClass + whitespaceClass + "][^" + controlClass + "]*$"

    /// The control characters `collapse` keeps (every control but the white-space ones): what `hasControl` finds
    /// in a cleaned field.
    static let keptControlClass = "\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F"

    /// The fields of `problems` as the API's document states them, on the text before `cleaned` (white space around
    /// and in runs is allowed; it is collapsed). Lengths are maxima in Unicode scalars of that text.
    public static let codePattern = "^[" + whitespaceClass + "]*" + bareCodePattern + "[" + whitespaceClass + "]*$"
    /// A code as `isCode` takes it, without white space around (a field of the API's CSV files), unanchored.
    public static let bareCodePattern = "[A-Za-z0-9][A-Za-z0-9._/-]{0,\(codeCharactersMax - 1)}"
    /// A full name: no kept control character, and a letter or digit (one that `VietnameseText.normalized` keeps).
    public static var fullNamePattern: String {
        "^[^" + keptControlClass + "]*[" + VietnameseText.alphanumericClass + "][^" + keptControlClass + "]*$"
    }
    /// A class: no kept control character, and some character that is not white space.
    public static let classPattern = "^[^" + keptControlClass + "]*[^" + keptControlClass + whitespaceClass + "][^" + keptControlClass + "]*$"
    /// Optional free text (a guardian's name, a family key): no kept control character; empty is absent.
    public static let optionalTextPattern = "^[^" + keptControlClass + "]*$"
    /// Empty (the standard category) or 1 to 32 lower-case letters, digits or `_` starting with a letter (upper case is lowered).
    public static let categoryPattern = "^[" + whitespaceClass + "]*([a-zA-Z][a-zA-Z0-9_]{0,\(categoryCharactersMax - 1)})?[" + whitespaceClass + "]*$"
    /// 8 to 15 digits with an optional leading `+`, spaces, dots, dashes and brackets anywhere; nothing but those is absent.
    public static let phonePattern = "^[ .()-]*((\\+[ .()-]*)?([0-9][ .()-]*){\(phoneDigitsMin),\(phoneDigitsMax)})?$"
    /// 1 to 19 letters or digits with spaces anywhere (removed; letters are upper-cased); only spaces is absent.
    public static let virtualAccountPattern = "^ *([0-9A-Za-z] *){0,\(virtualAccountCharactersMax)}$"

    /// The cells of the API's roster file (`RosterImport.apiFile`), each a narrowing of the rule above it takes: no
    /// comma, quote, CR or LF (the file has no quoting), no kept control character, and lengths bounded in the pattern
    /// itself (a Unicode scalar at most 4 bytes, so every cell fits `RosterImport.fieldBytesMax`). Unanchored classes
    /// and anchored patterns; `CSVUploadContractTests` holds each against `problems`.
    static let cellExcludedClass = ",\"\\r\\n" + keptControlClass
    /// A full name starting with a letter or digit (one `VietnameseText.normalized` keeps), 1 to 100 characters.
    public static var cellFullNamePattern: String {
        "^[" + VietnameseText.alphanumericClass + "][^" + cellExcludedClass + "]{0,\(BillingLimits.nameCharactersMax - 1)}$"
    }
    /// A class starting with a character that is not white space, 1 to 20 characters.
    public static let cellClassPattern = "^[^" + cellExcludedClass + whitespaceClass + "][^" + cellExcludedClass + "]{0,\(classCharactersMax - 1)}$"
    /// A grade some level teaches (0 to 12), one or two digits.
    public static let cellGradePattern = "^(0?[0-9]|1[0-2])$"
    /// Optional: a guardian's name of at most 100 characters.
    public static let cellGuardianNamePattern = "^[^" + cellExcludedClass + "]{0,\(BillingLimits.nameCharactersMax)}$"
    /// Optional: 8 to 15 digits with an optional leading `+`, nothing else.
    public static let cellPhonePattern = "^(\\+?[0-9]{\(phoneDigitsMin),\(phoneDigitsMax)})?$"
    /// Optional: a family key of at most 64 characters.
    public static let cellFamilyKeyPattern = "^[^" + cellExcludedClass + "]{0,\(familyKeyCharactersMax)}$"
    /// A date of birth as `CalendarDate(iso:)` reads it, from `birthYearMin` (1940) to 2999; one after today is the
    /// clock's to refuse (409), not the file's.
    public static let birthDatePattern = "^((19[4-9][0-9]|2[0-9]{3})-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
        + "|(19[4-9][0-9]|2[0-9]{3})-(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        + "|(19[4-9][0-9]|2[0-9]{3})-02-(0[1-9]|1[0-9]|2[0-8])"
        + "|(19([468][048]|[579][26])|2[0-9](0[48]|[2468][048]|[13579][26])|2000|2400|2800)-02-29)$"

    /// A class name as a fee schedule's scope takes it (`FeeSchedules.validateScope`): already collapsed, so words of
    /// anything but white space, one space apart.
    public static let collapsedPattern = "^[^" + whitespaceClass + "]+( [^" + whitespaceClass + "]+)*$"
    /// A category as a fee schedule's scope takes it: `isCategory` on the text as given.
    public static let exactCategoryPattern = "^[a-z][a-z0-9_]{0,\(categoryCharactersMax - 1)}$"

    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlCharacter }
    }

    /// Trimmed, with every run of white space one space. White space is judged scalar by scalar (Unicode
    /// White_Space, `whitespaceClass`), so a combining mark after a space is kept, as the API's patterns read it.
    static func collapse(_ text: String) -> String {
        if isCollapsed(text) { return text }
        return text.unicodeScalars.split(whereSeparator: \.isWhiteSpace)
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// `collapse` would return `text` itself: no white space at either end, and every run of it one
    /// U+0020 (a name as stored, every time a receipt is written for it: no split and join to make).
    static func isCollapsed(_ text: String) -> Bool {
        var previousWasSpace = true // a space first is not collapsed
        for scalar in text.unicodeScalars {
            if scalar.isWhiteSpace {
                guard scalar == " ", !previousWasSpace else { return false }
                previousWasSpace = true
            } else {
                previousWasSpace = false
            }
        }
        return !previousWasSpace || text.isEmpty
    }
}
