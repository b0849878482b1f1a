import Core
import Testing

/// `Money.typedDong`, the one reader of amounts people type (the CLI and the console's forms: the cash desk, suspense).
@Suite struct MoneyTextTests {
    @Test func readsWholeDongWithOrWithoutGrouping() {
        #expect(Money.typedDong("1.500.000") == Money(dong: 1_500_000))
        #expect(Money.typedDong("1,500,000") == Money(dong: 1_500_000))
        #expect(Money.typedDong("1 500 000") == Money(dong: 1_500_000))
        #expect(Money.typedDong("1_500_000") == Money(dong: 1_500_000))
        #expect(Money.typedDong("750000") == Money(dong: 750_000))
        #expect(Money.typedDong(String(Money.absoluteDongMax)) == Money(dong: Money.absoluteDongMax), "the largest amount there is")
    }

    @Test func refusesAnythingButAPositiveWholeAmount() {
        let refused = ["", "0", "-5000", "+5000", "1e6", "12.5đ", "abc", "١٢٣", " . , ", String(Money.absoluteDongMax + 1),
                       String(repeating: "9", count: Money.typedDigitsMax + 1), "9999999999999999999",
                       String(repeating: " ", count: Money.typedCharactersMax) + "5"]
        for text in refused { #expect(Money.typedDong(text) == nil, "\(text)") }
    }
}
