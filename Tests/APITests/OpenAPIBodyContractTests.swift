@testable import API
@testable import Billing
@testable import Core
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// Request bodies say exactly what the server accepts: every body pattern agrees with the validator it documents on
/// generated inputs (matched per Unicode scalar and unanchored, as JSON Schema matches), and every body rule names a
/// field of its type.
@Suite struct OpenAPIBodyContractTests {
    /// Characters that tell the rules apart: ASCII of each class, the white space `collapse` removes (tab, NBSP, NEL,
    /// em space, ideographic space), controls it keeps, letters that fold to ASCII (ắ, Đ, a combining acute) and ones
    /// that do not (ß, 中), and the punctuation the patterns name.
    static let alphabet: [String] = ["A", "Z", "a", "z", "0", "9", "I", "O", "_", ".", "/", "-", "+", "(", ")", " ", "\t", "\n", "\r",
                                     "\u{A0}", "\u{85}", "\u{2003}", "\u{3000}", "\u{1}", "\u{1F}", "\u{7F}", "\u{9F}", "ắ", "Đ", "đ",
                                     "e\u{301}", "\u{301}", "ß", "中", "!", "~", "é"]

    /// `count` strings of 0 to `lengthMax` characters of `alphabet`, after `fixed`.
    static func samples(_ fixed: [String], seed: UInt64, lengthMax: Int = 24, count: Int = 3_000, alphabet: [String] = alphabet) -> [String] {
        var random = SplitMix64(seed: seed)
        var texts = fixed
        for _ in 0..<count {
            let length = random.below(lengthMax + 1)
            texts.append((0..<length).map { _ in alphabet[random.below(alphabet.count)] }.joined())
        }
        return texts
    }

    /// Whether JSON Schema's `pattern` allows `text`: an ECMA-262 search, character by character (Unicode scalars).
    /// ECMA-262's `\uXXXX` (which Python's `re`, schemathesis's engine, also reads) is written `\u{XXXX}` in Swift.
    static func allows(_ pattern: String, _ text: String) throws -> Bool {
        let swiftPattern = pattern.replacing(/\\u([0-9A-Fa-f]{4})/) { "\\u{" + $0.output.1 + "}" }
        let regex = try Regex(swiftPattern).matchingSemantics(.unicodeScalar)
        return text.firstMatch(of: regex) != nil
    }

    static func expectAgreement(_ pattern: String, _ texts: [String], _ name: String, validator: (String) -> Bool) throws {
        var disagreements = 0
        for text in texts where try allows(pattern, text) != validator(text) {
            disagreements += 1
            if disagreements <= 5 {
                let shown = text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
                let documented = try allows(pattern, text)
                Issue.record("\(name): '\(shown)' pattern \(documented), validator \(validator(text))")
            }
        }
        #expect(disagreements == 0, "\(name): \(disagreements) disagreements")
    }

    // MARK: - Schools

    @Test func schoolFieldPatternsAreWhatSchoolsValidate() throws {
        try Self.expectAgreement(PaymentCode.prefixPattern, Self.samples(["", "A", "HP", "ABC", "ABCD", "I", "O", "HO", "hp", "A1"], seed: 1, lengthMax: 4),
                                 "payment_code_prefix") { (try? PaymentCode.validatePrefix($0)) != nil }
        try Self.expectAgreement(Commune.codePattern, Self.samples(["", "05500", "0550", "055000", "0550a", "０５５００"], seed: 2, lengthMax: 6,
                                                                   alphabet: ["0", "5", "9", "a", " ", "\n", "٣"]),
                                 "commune_code") { Commune(code: $0, name: "Phường 1").problem == nil }
        try Self.expectAgreement(Schools.bankBINPattern, Self.samples(["", "970436", "97043", "9704361", "97043a"], seed: 3, lengthMax: 7,
                                                                      alphabet: ["0", "9", "7", "a", "A", " ", "٣"]),
                                 "bank_bin", validator: Schools.isBankBIN)
        try Self.expectAgreement(Schools.accountNumberPattern, Self.samples(["", "0011001234567", String(repeating: "9", count: 19),
                                                                            String(repeating: "9", count: 20), "abc"], seed: 4, lengthMax: 21),
                                 "account_number", validator: Schools.isAccountNumber)
    }

    // MARK: - Billing

    @Test func feeAndPaymentPatternsAreWhatBillingChecks() throws {
        try Self.expectAgreement(FeeTypes.codePattern, Self.samples(["", "HP", "CLB_TIENGANH", "_HP", "-HP", "hp", String(repeating: "A", count: 16),
                                                                     String(repeating: "A", count: 17)], seed: 5, lengthMax: 18),
                                 "fee code", validator: FeeTypes.isCode)
        try Self.expectAgreement(BillingPaymentEndpoints.paymentKeyPattern,
                                 Self.samples(["", "QUAY-2026-0457", "a b", String(repeating: "k", count: 100), String(repeating: "k", count: 101)],
                                              seed: 6, lengthMax: 102),
                                 "payment_key", validator: BillingPaymentEndpoints.isPaymentKey)
        try Self.expectAgreement(BillingLookup.invoiceNumberPattern,
                                 Self.samples(["2026-000123", "2026/000123", "2026-0", "2026-000000000", "2026-1", "2026-999999999", "2026-0000000001",
                                               "2026-1234567890", "26-1", "2026-000-1", "2026/"], seed: 7, lengthMax: 14,
                                              alphabet: ["0", "1", "2", "9", "-", "/", "a", " "]),
                                 "invoice number") { BillingLookup.invoiceNumber($0) != nil }
    }

    @Test func textPatternsAreWhatCollapseAndHasControlLeave() throws {
        let fixed = ["", " ", "\t", "a", " a ", "\u{1}a", "a\u{7F}", "\u{A0}\u{3000}", "\u{85}", "\u{301}"]
        try Self.expectAgreement(StudentRules.visiblePattern, Self.samples(fixed, seed: 8), "reason, payer name") {
            !StudentRules.collapse($0).isEmpty
        }
        try Self.expectAgreement(StudentRules.visibleNoControlPattern, Self.samples(fixed, seed: 9), "fee type name") {
            !StudentRules.collapse($0).isEmpty && !StudentRules.hasControl($0)
        }
    }

    @Test func studentPatternsAreWhatStudentRulesAccept() throws {
        let codes = ["", "HS001", " HS001\t", "HS 001", "_HS", "HS/01.a_b-c", String(repeating: "A", count: 32), String(repeating: "A", count: 33)]
        try Self.expectAgreement(StudentRules.codePattern, Self.samples(codes, seed: 10, lengthMax: 36), "student_code") {
            StudentRules.isCode(StudentRules.collapse($0))
        }
        let names = ["", "An", "Đ", "đ", "ắ", "\u{301}", "ß", "中", " \t", "e\u{301}", "\u{1}An", "An\tBình", "٣"]
        try Self.expectAgreement(StudentRules.fullNamePattern, Self.samples(names, seed: 11), "full_name") { text in
            let clean = StudentRules.collapse(text)
            return !clean.isEmpty && !VietnameseText.normalized(clean).isEmpty && !StudentRules.hasControl(clean)
        }
        try Self.expectAgreement(StudentRules.classPattern, Self.samples(["", "1A1", " ", "1A\u{1}", "1A\t2"], seed: 12), "class_name") { text in
            let clean = StudentRules.collapse(text)
            return !clean.isEmpty && !StudentRules.hasControl(clean)
        }
        try Self.expectAgreement(StudentRules.optionalTextPattern, Self.samples(["", " ", "\u{1}", "Bình\t"], seed: 13), "guardian_name") {
            !StudentRules.hasControl(StudentRules.collapse($0))
        }
        try Self.expectAgreement(StudentRules.categoryPattern,
                                 Self.samples(["", "standard", "Poor_Household", " poor ", "1poor", "_x", String(repeating: "a", count: 33)], seed: 14,
                                              lengthMax: 34, alphabet: ["a", "Z", "0", "_", " ", "\t", "-", "ắ"]),
                                 "category") { text in
            let clean = StudentRules.collapse(text).lowercased()
            return clean.isEmpty || StudentRules.isCategory(clean)
        }
        try Self.expectAgreement(StudentRules.phonePattern,
                                 Self.samples(["", "0912 345 678", "+84 912 345 678", "(024) 3825.1234", "+", "1234567", "1234567890123456", "++84912345678"],
                                              seed: 15, lengthMax: 20, alphabet: ["0", "9", "+", " ", ".", "-", "(", ")", "a"]),
                                 "guardian_phone") { text in
            let digits = text.filter { !" .-()".contains($0) }
            return digits.isEmpty || StudentRules.isPhone(digits)
        }
        try Self.expectAgreement(StudentRules.virtualAccountPattern,
                                 Self.samples(["", "V2MSHS2026001", "v2ms hs", "   ", String(repeating: "9", count: 20)], seed: 16, lengthMax: 22,
                                              alphabet: ["V", "a", "0", " ", "-", "\t"]),
                                 "virtual_account") { text in
            let clean = String(text.filter { $0 != " " }).uppercased()
            return clean.isEmpty || ((1...StudentRules.virtualAccountCharactersMax).contains(clean.utf8.count)
                                     && clean.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) })
        }
    }

    @Test func feeScheduleScopePatternsAreWhatTheScopeReads() throws {
        try Self.expectAgreement(FeeScheduleRequest.gradeValuePattern,
                                 Self.samples(["", "1", "+5", "-3", "007", "1.0", " 1", String(repeating: "9", count: 18)], seed: 17, lengthMax: 18,
                                              alphabet: ["0", "1", "9", "+", "-", " ", "a", "٣"]),
                                 "grade scope value") { Int($0) != nil }
        try Self.expectAgreement(StudentRules.exactCategoryPattern, Self.samples(["", "standard", "Poor", "1a", "a_1", " a"], seed: 18, lengthMax: 34,
                                                                                alphabet: ["a", "z", "Z", "0", "_", " ", "-"]),
                                 "category scope value", validator: StudentRules.isCategory)
        try Self.expectAgreement(StudentRules.collapsedPattern, Self.samples(["", "1A1", "1A 1", "1A  1", " 1A", "1A\t1", "1A\u{A0}1"], seed: 19),
                                 "class scope value") { !$0.isEmpty && StudentRules.collapse($0) == $0 }
    }

    /// The calendar body's rule across `month` and `holiday_days`: the largest day the `anyOf` branches allow for a month is
    /// that month's length, on every month of the calendar's years.
    @Test func holidayDayBranchesAreTheMonthsLengths() throws {
        let branches = try CalendarMonth.isoPatternsByDaysAtLeast.map { (days: $0.days, regex: try Regex($0.pattern).matchingSemantics(.unicodeScalar)) }
        for year in CalendarDate.yearRange {
            for month in 1...12 {
                let period = try CalendarMonth(year: year, month: month)
                let documented = branches.filter { period.iso.wholeMatch(of: $0.regex) != nil }.map(\.days).max()
                let last = CalendarMonth.daysIn(year: year, month: month)
                #expect(documented == last, "\(period.iso): document \(documented ?? 0), calendar \(last)")
                #expect((try? SchoolCalendar.holidays(days: [last], in: period)) != nil && (try? SchoolCalendar.holidays(days: [last + 1], in: period)) == nil,
                        "\(period.iso)")
            }
        }
    }

    /// A discount's start, given with a length: the pattern is the years `Discounts.through` takes, on every month.
    @Test func discountStartPatternIsWhatThroughTakes() throws {
        let regex = try Regex(Discounts.lengthStartPattern).matchingSemantics(.unicodeScalar)
        for year in CalendarDate.yearRange {
            for month in 1...12 {
                let start = try CalendarMonth(year: year, month: month)
                let taken = (try? Discounts.through(from: start, months: Discounts.lengthMonthsMax)) != nil
                #expect(taken == (start.iso.wholeMatch(of: regex) != nil), "\(start.iso)")
                if taken { #expect(try Discounts.through(from: start, months: Discounts.lengthMonthsMax)!.year <= CalendarDate.yearRange.upperBound) }
            }
        }
        #expect(throws: BillingError.invalidField(field: "months", problem: "0 must be 1 to \(Discounts.lengthMonthsMax)")) {
            try Discounts.through(from: try CalendarMonth(iso: "2026-09"), months: 0)
        }
        #expect(try Discounts.through(from: try CalendarMonth(iso: "2026-09"), months: 9) == (try CalendarMonth(iso: "2027-05")))
        #expect(try Discounts.through(from: try CalendarMonth(iso: "2026-09"), months: nil) == nil)
    }

    // MARK: - The rules name fields

    static var bodies: [any APIRequestBody.Type] { [
        CreateSchoolRequest.self, FeeTypeRequest.self, PrepayRequest.self, CashPaymentRequest.self, SchoolMonthRequest.self,
        SuspenseReasonRequest.self, SuspenseRefundPaidRequest.self, SuspenseUnapplyRequest.self, VoidRequest.self,
        SuspenseNotTuitionRequest.self, StudentRequest.self, WithdrawRequest.self, FeeScheduleRequest.self, DiscountRequest.self,
    ] }

    @Test func everyBodyRuleNamesAFieldOfItsType() {
        for body in Self.bodies {
            #expect(RequestBodySchema.unmatchedRules(of: body).isEmpty, "\(body): \(RequestBodySchema.unmatchedRules(of: body))")
        }
    }

    @Test func anUnknownFieldIsNamedWhereverItIs() {
        let schema = RequestBodySchema.schema(of: CreateSchoolRequest.self)
        let body: [String: Any] = ["code": "AB", "bank_accounts": [["bank_bin": "970436", "bank_bim": "x"]]]
        #expect(RequestBodyFields.unknownField(in: body, schema: schema) == "bank_accounts[0].bank_bim")
        #expect(RequestBodyFields.unknownField(in: ["code": "AB", "nmae": "x"], schema: schema) == "nmae")
        #expect(RequestBodyFields.unknownField(in: ["code": "AB", "district": NSNull()], schema: schema) == nil)
    }

    @Test func theDocumentCarriesTheBodyRules() throws {
        let server = try APITestServer()
        let document = try server.client.get("/openapi.json").json
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let school = try #require(schemas["CreateSchoolRequest"] as? [String: Any])
        let parts = try #require(school["allOf"] as? [[String: Any]])
        let properties = try #require(parts.first?["properties"] as? [String: [String: Any]])
        #expect(properties["code"]?["pattern"] as? String == Schools.codePattern)
        #expect(parts.count == 3, "the object, the commune's pair, the district-or-commune rule")
        let cash = try #require(schemas["CashPaymentRequest"] as? [String: Any])
        let amount = (cash["properties"] as? [String: [String: Any]])?["amount"]
        #expect(amount?["minimum"] as? Int == 1 && (amount?["maximum"] as? NSNumber)?.int64Value == Money.absoluteDongMax)
        // An unknown field is refused, as `additionalProperties: false` says.
        let token = try #require(server.tokens[.admin])
        let extra = try server.client.postJSON("/v1/schools", #"{"code":"XY","name":"X","district":"D","level":"primary","payment_code_prefix":"A","bank_accounts":[],"colour":"red"}"#,
                                               token: token)
        #expect(extra.status == 422 && extra.json["code"] as? String == "unknown_field" && (extra.json["detail"] as? String ?? "").hasPrefix("colour"),
                "\(extra.text)")
    }
}

@Suite struct ContractFoundDefectTests {
    /// January 1900 is a month the document allows: the run is made (nothing happened then), not a 500.
    @Test func theFirstMonthOfTheCalendarCanBeReconciled() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: try #require(server.tokens[.admin]))
        let run = try api.post("/reconciliations", #"{"month":"1900-01"}"#)
        #expect(run.status == 201, "\(run.text)")
    }
}
