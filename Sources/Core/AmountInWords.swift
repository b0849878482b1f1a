/// Amounts written out in Vietnamese words, as on a receipt ("biên lai"):
/// `1.500.000` → "Một triệu năm trăm nghìn đồng".
///
/// The rules follow common receipt practice:
/// - digits are read in groups of three; a group of three zeros is skipped;
/// - the first group read is read as short as it is ("năm", "mười lăm"); every later group is read with
///   all three places, so a zero hundreds digit is "không trăm" (1.000.050 → "một triệu không trăm năm mươi");
/// - a zero tens digit before a non-zero unit is "linh" (105 → "một trăm linh năm"); "lẻ" is never used;
/// - 10 is "mười", 20–90 are "… mươi"; after "mươi" the unit 1 is "mốt", 4 is "tư", 5 is "lăm";
///   after "mười" the unit 5 is "lăm" (15 → "mười lăm") and others keep their name (11 → "mười một");
///   elsewhere 5 is "năm" (5, 105);
/// - the scale words are "nghìn", "triệu", "tỷ"; beyond 10⁹ the number of tỷ is itself read with
///   these words ("một nghìn tỷ", "một triệu tỷ");
/// - zero is "Không đồng", a negative amount starts with "Âm"; the first letter is upper-case,
///   and the text ends with " đồng".
public enum AmountInWords {
    static let digitWords = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    /// Scale words of the three groups inside one tỷ: units, thousands, millions.
    static let scaleWordsWithinTy = ["", "nghìn", "triệu"]
    static let groupsPerTy = 3
    static let groupModulus: UInt64 = 1_000

    /// The amount in Vietnamese words, e.g. "Một triệu năm trăm nghìn đồng".
    public static func vietnamese(_ amount: Money) -> String {
        vietnamese(dong: amount.dong)
    }

    /// `dong` đồng in Vietnamese words; the whole `Int64` range is accepted.
    public static func vietnamese(dong: Int64) -> String {
        var words: [String] = dong < 0 ? ["âm"] : []
        words += dong == 0 ? [digitWords[0]] : magnitudeWords(dong.magnitude)
        words.append("đồng")
        return capitalizingFirstLetter(words.joined(separator: " "))
    }

    /// Words for a non-zero magnitude, without the currency.
    static func magnitudeWords(_ magnitude: UInt64) -> [String] {
        precondition(magnitude > 0)
        var groups: [Int] = [] // least significant first
        var rest = magnitude
        while rest > 0 {
            groups.append(Int(rest % groupModulus))
            rest /= groupModulus
        }
        var words: [String] = []
        for index in stride(from: groups.count - 1, through: 0, by: -1) {
            let group = groups[index]
            let positionWithinTy = index % groupsPerTy
            if group != 0 {
                words += groupWords(group, allPlaces: !words.isEmpty)
                let scale = scaleWordsWithinTy[positionWithinTy]
                if !scale.isEmpty { words.append(scale) }
            }
            // After the lowest group of a block of tỷ, name the block ("tỷ", "tỷ tỷ") unless it is all zeros.
            let tyCount = index / groupsPerTy
            if positionWithinTy == 0 && tyCount > 0 {
                let blockGroups = groups[index..<min(index + groupsPerTy, groups.count)]
                if blockGroups.contains(where: { $0 != 0 }) { words += Array(repeating: "tỷ", count: tyCount) }
            }
        }
        return words
    }

    /// Words for one group of three digits (1–999). `allPlaces` reads a zero hundreds digit as "không trăm".
    static func groupWords(_ group: Int, allPlaces: Bool) -> [String] {
        precondition((1...999).contains(group))
        let hundreds = group / 100
        let tens = group / 10 % 10
        let units = group % 10
        var words: [String] = []
        if allPlaces || hundreds > 0 { words += [digitWords[hundreds], "trăm"] }
        switch tens {
        case 0:
            guard units > 0 else { break }
            if !words.isEmpty { words.append("linh") }
            words.append(digitWords[units])
        case 1:
            words.append("mười")
            if units == 5 {
                words.append("lăm")
            } else if units > 0 {
                words.append(digitWords[units])
            }
        default:
            words += [digitWords[tens], "mươi"]
            if let unitWord = unitWordAfterMuoi(units) { words.append(unitWord) }
        }
        return words
    }

    /// The unit after "mươi" (20–90): "mốt", "tư", "lăm" or the digit's name; nil for zero.
    static func unitWordAfterMuoi(_ units: Int) -> String? {
        switch units {
        case 0: return nil
        case 1: return "mốt"
        case 4: return "tư"
        case 5: return "lăm"
        default: return digitWords[units]
        }
    }

    static func capitalizingFirstLetter(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
