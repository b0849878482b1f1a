/// Amounts a person types: whole đồng, with or without thousands separators (`500.000`, `500,000`, `500000`).
/// The one reader of typed amounts, for the command line and the console's forms.
extension Money {
    /// Digits typed for one amount at most (16 digits exceed `absoluteDongMax`).
    public static let typedDigitsMax = 16
    /// Characters typed for one amount at most, separators included (`9.999.999.999.999.999` is 21).
    public static let typedCharactersMax = 32

    /// A positive whole number of đồng, at most `absoluteDongMax`; nil for anything else.
    public static func typedDong(_ text: String) -> Money? {
        guard text.count <= typedCharactersMax else { return nil }
        let digits = text.filter { $0 != "." && $0 != "," && $0 != "_" && $0 != " " }
        guard !digits.isEmpty, digits.count <= typedDigitsMax, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits),
              value > 0, value <= absoluteDongMax else { return nil }
        return Money(dong: value)
    }
}
