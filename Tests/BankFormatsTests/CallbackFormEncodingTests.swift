import Testing
@testable import BankFormats

@Suite struct CallbackFormEncodingTests {
    @Test func encodesLikeJavaURLEncoder() {
        #expect(FormURLEncoding.encode("Thanh toan don hang 2024-05-21T02:17:31.249Z") == "Thanh+toan+don+hang+2024-05-21T02%3A17%3A31.249Z")
        #expect(FormURLEncoding.encode("a*b-c.d_e~f") == "a*b-c.d_e%7Ef")
        #expect(FormURLEncoding.encode("+&=/?#%") == "%2B%26%3D%2F%3F%23%25")
        #expect(FormURLEncoding.encode("Học phí") == "H%E1%BB%8Dc+ph%C3%AD")
        #expect(FormURLEncoding.encode("😀") == "%F0%9F%98%80")
        #expect(FormURLEncoding.encode("") == "")
        #expect(FormURLEncoding.encode("a*b", unreservedPunctuation: "-._") == "a%2Ab")
    }

    @Test func decodesComponents() throws {
        #expect(try FormURLEncoding.decode("a+b%20c%2Bd") == "a b c+d")
        #expect(try FormURLEncoding.decode("H%e1%bb%8Dc") == "Học")
        #expect(try FormURLEncoding.decode("") == "")
        #expect(throws: FormDecodingError.badPercentEscape(offset: 1)) { try FormURLEncoding.decode("a%") }
        #expect(throws: FormDecodingError.badPercentEscape(offset: 0)) { try FormURLEncoding.decode("%4") }
        #expect(throws: FormDecodingError.badPercentEscape(offset: 0)) { try FormURLEncoding.decode("%G1") }
        #expect(throws: FormDecodingError.notUTF8) { try FormURLEncoding.decode("%C3%28") }
    }

    @Test func encodingThenDecodingIsIdentity() throws {
        let samples = ["", " ", "+", "%", "a=b&c", "Nguyễn Văn Đức 😀", "\u{7F}\u{01}~!'()*", "100%/2"]
        for text in samples {
            #expect(try FormURLEncoding.decode(Substring(FormURLEncoding.encode(text))) == text)
        }
    }

    @Test func parsesQueries() throws {
        #expect(try FormURLEncoding.parseQuery("") == [])
        #expect(try FormURLEncoding.parseQuery("a=1&b=x+y&c&d=&e=a=b") == [
            QueryParameter(name: "a", value: "1"), QueryParameter(name: "b", value: "x y"), QueryParameter(name: "c", value: ""),
            QueryParameter(name: "d", value: ""), QueryParameter(name: "e", value: "a=b"),
        ])
        #expect(throws: FormDecodingError.emptyParameter) { try FormURLEncoding.parseQuery("a=1&&b=2") }
        #expect(throws: FormDecodingError.emptyParameter) { try FormURLEncoding.parseQuery("a=1&") }
        let many = Array(repeating: "a=1", count: CallbackLimits.queryParameterCountMax + 1).joined(separator: "&")
        #expect(throws: FormDecodingError.tooManyParameters(limit: CallbackLimits.queryParameterCountMax)) {
            try FormURLEncoding.parseQuery(many)
        }
        let long = "a=" + String(repeating: "x", count: CallbackLimits.queryBytesMax)
        #expect(throws: FormDecodingError.tooLarge(bytes: CallbackLimits.queryBytesMax + 2, limit: CallbackLimits.queryBytesMax)) {
            try FormURLEncoding.parseQuery(long)
        }
    }

    /// VNPay signs what it decoded, re-encoded: a value that arrived with `%20` or `+` signs the same.
    @Test func vnpaySignatureDoesNotDependOnHowTheQueryWasSpelled() throws {
        let vnpay = CallbackFixtures.description("vnpay")
        let raw = FormURLEncoding.encode("vnp_SecureHash")
        let sample = vnpay.sample.request
        let rebuilt = sample.query.map { FormURLEncoding.encode($0.name) + "=" + FormURLEncoding.encode($0.value) }
            .joined(separator: "&").replacingOccurrences(of: "+", with: "%20")
        #expect(rebuilt.contains(raw))
        let request = try CallbackRequest(method: "GET", rawQuery: rebuilt)
        #expect(CallbackFixtures.verdict(vnpay, request) == .accepted(secretIndex: 0))
    }

    @Test func vnpayLeavesEmptyValuesOutAndRefusesRepeatedParameters() throws {
        let scheme = FormQueryHMACScheme(
            algorithm: .sha512, signatureParameter: "vnp_SecureHash", excludedParameters: ["vnp_SecureHashType"],
            parameterPrefix: "vnp_", skipEmptyValues: true, unreservedPunctuation: "*-._", hexCase: .either)
        let secret = CallbackFixtures.secret("test_secret")
        let base = [QueryParameter(name: "vnp_Amount", value: "1000000"), QueryParameter(name: "vnp_TxnRef", value: "1")]
        let withEmpty = base + [QueryParameter(name: "vnp_BankTranNo", value: "")]
        #expect(try scheme.signature(secret: secret, query: base) == scheme.signature(secret: secret, query: withEmpty))
        #expect(throws: SignatureRefusal.unsignableField("vnp_TxnRef", reason: "appears more than once")) {
            try scheme.signature(secret: secret, query: base + [QueryParameter(name: "vnp_TxnRef", value: "2")])
        }
    }
}
