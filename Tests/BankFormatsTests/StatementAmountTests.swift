import Core
import Testing
@testable import BankFormats

@Suite("Statement amounts")
struct StatementAmountTests {
    @Test("parses exactly and prints the shortest exact decimal")
    func canonicalText() throws {
        let cases: [(String, UInt8, String)] = [
            ("1500000,00", UInt8(ascii: ","), "1500000"),
            ("1500000,", UInt8(ascii: ","), "1500000"),
            ("1234,56", UInt8(ascii: ","), "1234.56"),
            ("1234,50", UInt8(ascii: ","), "1234.5"),
            ("0,05", UInt8(ascii: ","), "0.05"),
            ("-1500000", UInt8(ascii: "."), "-1500000"),
            ("-0.10", UInt8(ascii: "."), "-0.1"),
            ("000123.000", UInt8(ascii: "."), "123"),
            ("0", UInt8(ascii: "."), "0"),
            ("999999999999999999", UInt8(ascii: "."), "999999999999999999"),
        ]
        for (text, separator, expected) in cases {
            let amount = try StatementAmount(parsing: text.utf8, decimalSeparator: separator, currency: "EUR")
            #expect(amount.decimalText == expected, "\(text)")
        }
    }

    @Test("equal numbers are equal values whatever their written scale")
    func equalityAcrossScales() throws {
        let a = try StatementAmount(parsing: "12,50".utf8, decimalSeparator: UInt8(ascii: ","), currency: "EUR")
        let b = try StatementAmount(minorUnits: 125, scale: 1, currency: "EUR")
        let c = try StatementAmount(minorUnits: 12500, scale: 3, currency: "EUR")
        #expect(a == b && b == c)
        #expect(a.minorUnits == 125 && a.scale == 1)
    }

    @Test("refuses malformed text, too many digits, bad currencies")
    func refusals() {
        let malformed = ["", ",", "1,2,3", "12a", "--1", "1 000", "+5"]
        for text in malformed {
            #expect(throws: StatementAmountError.invalidText(text), "\(text)") {
                try StatementAmount(parsing: text.utf8, decimalSeparator: UInt8(ascii: ","), currency: "VND")
            }
        }
        for text in ["1234567890123456789", "0,0000001"] {
            #expect(throws: StatementAmountError.tooManyDigits(text), "\(text)") {
                try StatementAmount(parsing: text.utf8, decimalSeparator: UInt8(ascii: ","), currency: "VND")
            }
        }
        #expect(throws: StatementAmountError.invalidCurrency("vnd")) { try StatementAmount(whole: 1, currency: "vnd") }
        #expect(throws: StatementAmountError.invalidCurrency("VNDX")) { try StatementAmount(whole: 1, currency: "VNDX") }
    }

    @Test("adds across scales exactly, refuses mixed currencies and overflow")
    func arithmetic() throws {
        let sum = try StatementAmount.of("1234.5", "EUR").adding(.of("0.25", "EUR"))
        #expect(sum.decimalText == "1234.75")
        #expect(try StatementAmount.of("1", "EUR").subtracting(.of("1.01", "EUR")).decimalText == "-0.01")
        #expect(throws: StatementAmountError.currencyMismatch("EUR", "VND")) {
            try StatementAmount.of("1", "EUR").adding(.of("1", "VND"))
        }
        #expect(throws: StatementAmountError.overflow) {
            try StatementAmount.of("999999999999999999").adding(.of("0.000001"))
        }
        let large = try StatementAmount(minorUnits: Int64.max - 1, scale: 0, currency: "VND")
        #expect(throws: StatementAmountError.overflow) { try large.adding(.of("2")) }
    }

    @Test("converts to whole đồng only for VND without a fraction")
    func wholeDong() throws {
        #expect(try StatementAmount.of("1500000.00").wholeDong() == Money(dong: 1_500_000))
        #expect(try StatementAmount.of("-25000").wholeDong() == Money(dong: -25_000))
        #expect(throws: StatementAmountError.notVND("EUR")) { try StatementAmount.of("10", "EUR").wholeDong() }
        #expect(throws: StatementAmountError.fractionalDong("10.5")) { try StatementAmount.of("10.5").wholeDong() }
        #expect(throws: StatementAmountError.beyondMoneyBounds("2000000000000000")) {
            try StatementAmount.of("2000000000000000").wholeDong()
        }
        let message = StatementAmountError.notVND("EUR").description
        #expect(message.contains("EUR") && message.contains("VND"))
    }
}
