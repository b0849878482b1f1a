import Core
import Testing
@testable import BankFormats

@Suite struct CallbackJSONTests {
    static let limits = CallbackLimits.bodyJSON

    func parse(_ text: String, limits: JSONLimits = limits) throws(JSONError) -> JSONValue {
        try StrictJSONParser.parse(Array(text.utf8), limits: limits)
    }

    func reason(_ text: String, limits: JSONLimits = limits) -> JSONError.Reason? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error.reason
        }
    }

    func canonical(_ text: String, escapeSlash: Bool = false) throws -> String {
        let options = JSONWriteOptions(sortKeys: true, escapeNonASCII: true, escapeSlash: escapeSlash)
        return String(decoding: JSONWriter.write(try parse(text), options: options), as: UTF8.self)
    }

    @Test func parsesNestedValuesInOrder() throws {
        let value = try parse(#" { "b" : [1, {"c": null, "a": true}, []], "a": {}, "s": "x" } "#)
        #expect(value == .object([
            JSONMember(key: "b", value: .array([.number("1"), .object([
                JSONMember(key: "c", value: .null), JSONMember(key: "a", value: .bool(true))]), .array([])])),
            JSONMember(key: "a", value: .object([])),
            JSONMember(key: "s", value: .string("x")),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("\"top\"") == .string("top"))
        #expect(try parse("-0") == .number("-0"))
    }

    @Test func keepsNumbersExactlyAsWritten() throws {
        for number in ["0", "-0", "599000", "1.50", "1e3", "1E+03", "-12.5e-10", "123456789012345678901234567890", "0.1000"] {
            #expect(try parse(number) == .number(number))
            #expect(try canonical("{\"n\":\(number)}") == "{\"n\":\(number)}")
        }
    }

    @Test func refusesMalformedNumbers() {
        for text in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "-Infinity", "1.e5", "--1"] {
            #expect(reason(text) != nil, "\(text) must be refused")
        }
        let long = String(repeating: "9", count: CallbackLimits.numberBytesMax + 1)
        #expect(reason(long) == .numberTooLong(limit: CallbackLimits.numberBytesMax))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""Nguy\u1ec5n \u0110\u1ee9c""#) == .string("Nguyễn Đức"))
        #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse("\"Nguyễn 😀\"") == .string("Nguyễn 😀"))
    }

    @Test func refusesBrokenStrings() {
        #expect(reason(#""\uD83D""#) == .loneSurrogate)
        #expect(reason(#""\uD83Dx""#) == .loneSurrogate)
        #expect(reason(#""\uD83D\u0041""#) == .loneSurrogate)
        #expect(reason(#""\uDE00""#) == .loneSurrogate)
        #expect(reason(#""\u0000""#) == .nulCharacter)
        #expect(reason(#""\x41""#) == .invalidEscape)
        #expect(reason(#""\u12G4""#) == .invalidEscape)
        #expect(reason("\"tab\there\"") == .controlCharacter(0x09))
        #expect(reason("\"unterminated") == .unexpectedEnd)
        #expect(throws: JSONError(offset: 0, reason: .invalidUTF8)) { try StrictJSONParser.parse([0x22, 0xC3, 0x28, 0x22], limits: Self.limits) }
        #expect(throws: JSONError(offset: 0, reason: .invalidUTF8)) { try StrictJSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22], limits: Self.limits) }
        #expect(reason("\"" + String(repeating: "a", count: CallbackLimits.stringBytesMax + 1) + "\"")
            == .stringTooLong(limit: CallbackLimits.stringBytesMax))
    }

    @Test func refusesDuplicateKeysAtEveryDepth() {
        #expect(reason(#"{"a":1,"a":2}"#) == .duplicateKey("a"))
        #expect(reason(#"{"x":{"a":1,"b":2,"a":3}}"#) == .duplicateKey("a"))
        #expect(reason(#"{"x":[{"k":1,"k":1}]}"#) == .duplicateKey("k"))
        #expect(reason(#"{"a":1,"\u0061":2}"#) == .duplicateKey("a"))
        #expect(reason(#"{"a":{"a":1}}"#) == nil)
    }

    @Test func refusesStructuralErrors() {
        for text in ["", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "{} {}", "[1]]", "tru", "nul",
                     "// c\n{}", "{'a':1}", "\u{FEFF}{}", "{\"a\":1}x"] {
            #expect(reason(text) != nil, "'\(text)' must be refused")
        }
        #expect(reason("{} x") == .trailingContent)
    }

    @Test func enforcesDepthAndValueLimits() {
        let depth = CallbackLimits.jsonDepthMax
        #expect(reason(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == nil)
        #expect(reason(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)) == .tooDeep(limit: depth))
        // Far past the limit: refused without recursion, whatever the depth.
        #expect(reason(String(repeating: "[", count: 60_000)) == .tooDeep(limit: depth))
        let many = "[" + Array(repeating: "1", count: CallbackLimits.jsonValueCountMax).joined(separator: ",") + "]"
        #expect(reason(many) == .tooManyValues(limit: CallbackLimits.jsonValueCountMax))
        let small = JSONLimits(bytesMax: 8, depthMax: 4, valueCountMax: 10, stringBytesMax: 10, numberBytesMax: 5)
        #expect(reason("[1,2,3,4]", limits: small) == .tooLarge(bytes: 9, limit: 8))
    }

    @Test func canonicalWriterSortsRecursivelyAndEscapes() throws {
        #expect(try canonical(#"{"b":1,"a":{"d":[{"z":1,"y":2}],"c":"x"}}"#) == #"{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}"#)
        #expect(try canonical(#"{"s":"Nguyễn Đức"}"#) == #"{"s":"Nguy\u1ec5n \u0110\u1ee9c"}"#)
        #expect(try canonical(#"{"s":"😀"}"#) == #"{"s":"\ud83d\ude00"}"#)
        #expect(try canonical(#"{"s":"a\"b\\c\n\u0001\u001f\u007f"}"#) == "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001f\u{7F}\"}")
        #expect(try canonical(#"{"s":"9/2026"}"#) == #"{"s":"9/2026"}"#)
        #expect(try canonical(#"{"s":"9/2026"}"#, escapeSlash: true) == #"{"s":"9\/2026"}"#)
        // Code point order: upper case before lower case, "é" (U+00E9) after "z".
        #expect(try canonical(#"{"é":1,"z":2,"B":3,"a":4,"":5}"#) == #"{"":5,"B":3,"a":4,"z":2,"\u00e9":1}"#)
        #expect(try canonical("[]") == "[]")
        #expect(try canonical("{}") == "{}")
    }

    @Test func compactWriterKeepsOrderAndUTF8() throws {
        let value = try parse(#"{"RspCode":"00","Message":"Xác nhận"}"#)
        #expect(String(decoding: JSONWriter.write(value, options: .compact), as: UTF8.self) == #"{"RspCode":"00","Message":"Xác nhận"}"#)
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let text = #"{"a":[1,-2.5e3,true,false,null,{"x":"\ud83d\ude00 \u0001 / \" \\"}],"b":{"c":[[[]]]}}"#
        let value = try parse(text)
        for options in [JSONWriteOptions.compact, JSONWriteOptions(sortKeys: true, escapeNonASCII: true, escapeSlash: true)] {
            #expect(try StrictJSONParser.parse(JSONWriter.write(value, options: options), limits: Self.limits) == value)
        }
    }
}
