import Foundation
import Testing
@testable import BankFormats

/// Every provider description: its sample verifies and normalises, and every kind of forgery is refused.
@Suite struct CallbackProviderTests {
    static let providers = ["tuition", "sepay", "sepay-hmac", "casso", "payos", "vnpay", "momo"]

    @Test(arguments: providers)
    func sampleVerifiesAndNormalises(_ provider: String) throws {
        let description = CallbackFixtures.description(provider)
        #expect(CallbackFixtures.verdict(description, description.sample.request) == .accepted(secretIndex: 0))
        let normalized = try CallbackNormalizer(description: description).normalize(description.sample.request)
        #expect(normalized == description.sample.expected)
        #expect(normalized.provider == provider)
    }

    /// The normalised samples, spelled out here rather than only in the data files.
    @Test func samplesNormaliseToTheDocumentedValues() throws {
        func normalize(_ provider: String) throws -> NormalizedCallbackTransaction {
            let description = CallbackFixtures.description(provider)
            return try CallbackNormalizer(description: description).normalize(description.sample.request)
        }
        let casso = try normalize("casso")
        #expect(casso.providerTransactionID == "0" && casso.amount == 599_000 && casso.receivingAccount == "88888888")
        #expect(casso.virtualAccount == nil && casso.payerName == "NGUYEN VAN A" && casso.localDate.iso == "2024-10-03")
        #expect(casso.occurredAt == Date(timeIntervalSince1970: 1_727_942_797)) // 2024-10-03 15:06:37 +07:00
        let payos = try normalize("payos")
        #expect(payos.providerTransactionID == "0:FT-REFERENCE" && payos.amount == 20_000 && payos.succeeded)
        let vnpay = try normalize("vnpay")
        #expect(vnpay.providerTransactionID == "1716257871703:14422574" && vnpay.amount == 10_000)
        #expect(vnpay.receivingAccount == "TEST_TMN_CODE" && vnpay.payerBank == "NCB")
        #expect(vnpay.occurredAt == Date(timeIntervalSince1970: 1_716_257_886)) // 2024-05-21 09:18:06 +07:00
        let momo = try normalize("momo")
        #expect(momo.providerTransactionID == "HP7K2Q9X-1789442467:4123456789" && momo.amount == 1_500_000)
        #expect(momo.occurredAt == Date(timeIntervalSince1970: 1_789_442_467.123))
        let sepay = try normalize("sepay")
        #expect(sepay.providerTransactionID == "92704" && sepay.direction == .incoming && sepay.virtualAccount == nil)
        let tuition = try normalize("tuition")
        #expect(tuition.virtualAccount == "V2MSHS0001" && tuition.payerBank == "970436" && tuition.amount == 1_500_000)
    }

    @Test(arguments: providers)
    func wrongSecretIsRefused(_ provider: String) {
        let description = CallbackFixtures.description(provider)
        let verdict = CallbackFixtures.verdict(
            description, description.sample.request, secrets: [CallbackFixtures.secret("not-the-secret")])
        #expect(verdict == .refused(.badSignature))
    }

    @Test(arguments: providers)
    func secondSecretDuringRotationIsAccepted(_ provider: String) {
        let description = CallbackFixtures.description(provider)
        let secrets = [CallbackFixtures.secret("the-new-secret-not-yet-used"), description.sample.secret]
        #expect(CallbackFixtures.verdict(description, description.sample.request, secrets: secrets) == .accepted(secretIndex: 1))
    }

    @Test(arguments: providers)
    func noSecretOrTooManySecretsAreRefused(_ provider: String) {
        let description = CallbackFixtures.description(provider)
        #expect(CallbackFixtures.verdict(description, description.sample.request, secrets: []) == .refused(.noSecretConfigured))
        let many = Array(repeating: description.sample.secret, count: CallbackLimits.secretCountMax + 1)
        #expect(CallbackFixtures.verdict(description, description.sample.request, secrets: many)
            == .refused(.tooManySecrets(count: CallbackLimits.secretCountMax + 1, limit: CallbackLimits.secretCountMax)))
    }

    /// A changed amount must break the signature (for the API key scheme, the key does not sign the body).
    @Test(arguments: ["tuition", "sepay-hmac", "casso", "payos", "momo"])
    func tamperedBodyIsRefused(_ provider: String) {
        let description = CallbackFixtures.description(provider)
        let amounts = ["tuition": "1500000", "sepay-hmac": "1500000", "casso": "599000", "payos": "20000", "momo": "1500000"]
        let original = amounts[provider]!
        let tampered = CallbackFixtures.replacingInBody(description.sample.request, ":\(original)", ":\(original)0")
        #expect(CallbackFixtures.verdict(description, tampered) == .refused(.badSignature))
        #expect(CallbackFixtures.verdict(description, description.sample.request).isAccepted)
    }

    @Test func tamperedVNPayQueryIsRefused() {
        let description = CallbackFixtures.description("vnpay")
        var request = description.sample.request
        request.query = request.query.map { $0.name == "vnp_Amount" ? QueryParameter(name: $0.name, value: "100000000") : $0 }
        #expect(CallbackFixtures.verdict(description, request) == .refused(.badSignature))
        var extra = description.sample.request
        extra.query.append(QueryParameter(name: "vnp_Extra", value: "1"))
        #expect(CallbackFixtures.verdict(description, extra) == .refused(.badSignature))
        var unsigned = description.sample.request
        unsigned.query.append(QueryParameter(name: "utm_source", value: "x"))  // not vnp_: not signed, not read
        #expect(CallbackFixtures.verdict(description, unsigned) == .accepted(secretIndex: 0))
    }

    @Test func missingSignaturesAreNamed() {
        let tuition = CallbackFixtures.description("tuition")
        #expect(CallbackFixtures.verdict(tuition, CallbackFixtures.replacingHeader(tuition.sample.request, "Tuition-Signature", with: nil))
            == .refused(.missingHeader("Tuition-Signature")))
        let sepay = CallbackFixtures.description("sepay")
        #expect(CallbackFixtures.verdict(sepay, CallbackFixtures.replacingHeader(sepay.sample.request, "Authorization", with: nil))
            == .refused(.missingHeader("Authorization")))
        let hmac = CallbackFixtures.description("sepay-hmac")
        #expect(CallbackFixtures.verdict(hmac, CallbackFixtures.replacingHeader(hmac.sample.request, "X-SePay-Timestamp", with: nil))
            == .refused(.missingHeader("X-SePay-Timestamp")))
        let vnpay = CallbackFixtures.description("vnpay")
        var request = vnpay.sample.request
        request.query.removeAll { $0.name == "vnp_SecureHash" }
        #expect(CallbackFixtures.verdict(vnpay, request) == .refused(.missingSignatureField("vnp_SecureHash")))
        let payos = CallbackFixtures.description("payos")
        let unsigned = CallbackFixtures.replacingInBody(payos.sample.request, #","signature":"302b3becca1672dff99daafae2965f40e48ea3ca39453e4bf37fbcc26807a0e8""#, "")
        #expect(CallbackFixtures.verdict(payos, unsigned) == .refused(.missingSignatureField("signature")))
    }

    @Test func malformedHeadersAreRefused() {
        let tuition = CallbackFixtures.description("tuition")
        let request = tuition.sample.request
        let cases: [String] = [
            "garbage", "t=1789442469", "v1=" + String(repeating: "a", count: 64), "t=abc,v1=" + String(repeating: "a", count: 64),
            "t=1789442469,v1=zz", "t=1789442469,v1=" + String(repeating: "A", count: 64), "t=1,t=2,v1=" + String(repeating: "a", count: 64),
            "t=1789442469,,v1=" + String(repeating: "a", count: 64), "t=-5,v1=" + String(repeating: "a", count: 64),
        ]
        for value in cases {
            let verdict = CallbackFixtures.verdict(tuition, CallbackFixtures.replacingHeader(request, "Tuition-Signature", with: value))
            guard case .refused(let refusal) = verdict else {
                Issue.record("'\(value)' was accepted")
                continue
            }
            switch refusal {
            case .malformedHeader("Tuition-Signature", _), .malformedSignature("Tuition-Signature", _): break
            default: Issue.record("'\(value)' refused as \(refusal), expected a malformed header")
            }
        }
        var doubled = request
        doubled.headers.append(CallbackHeader(name: "tuition-signature", value: "t=1,v1=00"))
        #expect(CallbackFixtures.verdict(tuition, doubled) == .refused(.duplicateHeader("Tuition-Signature")))
        let sepay = CallbackFixtures.description("sepay")
        #expect(CallbackFixtures.verdict(sepay, CallbackFixtures.replacingHeader(sepay.sample.request, "Authorization", with: "Bearer sepay_test_api_key"))
            == .refused(.malformedHeader("Authorization", reason: "does not start with 'Apikey ' and a key")))
        #expect(CallbackFixtures.verdict(sepay, CallbackFixtures.replacingHeader(sepay.sample.request, "Authorization", with: "APIKEY sepay_test_api_key"))
            == .accepted(secretIndex: 0))
        #expect(CallbackFixtures.verdict(sepay, CallbackFixtures.replacingHeader(sepay.sample.request, "Authorization", with: "Apikey sepay_test_api_ke"))
            == .refused(.badSignature))
    }

    /// Timestamped schemes, against the injected clock: inside ±tolerance accepted, beyond refused, and only
    /// after the signature matched (a forged old request is a bad signature, not a stale one).
    @Test(arguments: ["tuition", "sepay-hmac", "casso"])
    func timestampWindow(_ provider: String) throws {
        let description = CallbackFixtures.description(provider)
        guard case .timestampedHMAC(let scheme) = description.signature else { throw TestFailure("not timestamped") }
        let request = description.sample.request
        let signedAt = try signedTimestampSeconds(request, scheme)
        let tolerance = scheme.toleranceSeconds
        func verdict(at seconds: Double) -> SignatureVerdict {
            CallbackFixtures.verdict(description, request, now: Date(timeIntervalSince1970: seconds))
        }
        #expect(verdict(at: signedAt + Double(tolerance)).isAccepted)
        #expect(verdict(at: signedAt - Double(tolerance)).isAccepted)
        #expect(verdict(at: signedAt + Double(tolerance) + 1) == .refused(.staleTimestamp(ageSeconds: tolerance + 1, toleranceSeconds: tolerance)))
        #expect(verdict(at: signedAt - Double(tolerance) - 2) == .refused(.futureTimestamp(aheadSeconds: tolerance + 2, toleranceSeconds: tolerance)))
        #expect(verdict(at: signedAt + 86_400 * 365) == .refused(.staleTimestamp(ageSeconds: 86_400 * 365, toleranceSeconds: tolerance)))
        let forged = CallbackFixtures.verdict(description, request, secrets: [CallbackFixtures.secret("x")],
                                              now: Date(timeIntervalSince1970: signedAt + 10_000))
        #expect(forged == .refused(.badSignature))
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func signedTimestampSeconds(_ request: CallbackRequest, _ scheme: TimestampedHMACScheme) throws -> Double {
        let text: String
        switch scheme.layout {
        case .keyedItems:
            let header = request.headerValues(scheme.signatureHeader)[0]
            text = String(header.split(separator: ",")[0].dropFirst(2))
        case .separateTimestamp(let timestampHeader, _):
            text = request.headerValues(timestampHeader)[0]
        }
        guard let value = Double(text) else { throw TestFailure("timestamp '\(text)'") }
        return scheme.timestampUnit == .seconds ? value : value / 1000
    }

    @Test func momoNeedsTheConnectionAccessKey() {
        let momo = CallbackFixtures.description("momo")
        let request = momo.sample.request
        let without = momo.signature.verify(request, credentials: CallbackCredentials(secrets: [momo.sample.secret]), now: momo.sample.now)
        #expect(without == .refused(.missingConnectionParameter("accessKey")))
        let other = momo.signature.verify(
            request, credentials: CallbackCredentials(secrets: [momo.sample.secret], parameters: ["accessKey": "SOMEONE_ELSES"]),
            now: momo.sample.now)
        #expect(other == .refused(.badSignature))
        #expect(momo.signature.requiredConnectionParameters == ["accessKey"])
        #expect(CallbackFixtures.description("vnpay").signature.requiredConnectionParameters.isEmpty)
    }

    @Test func vnpayAcceptsUpperCaseHexAndRefusesShortHashes() {
        let vnpay = CallbackFixtures.description("vnpay")
        var upper = vnpay.sample.request
        upper.query = upper.query.map { $0.name == "vnp_SecureHash" ? QueryParameter(name: $0.name, value: $0.value.uppercased()) : $0 }
        #expect(CallbackFixtures.verdict(vnpay, upper) == .accepted(secretIndex: 0))
        var short = vnpay.sample.request
        short.query = short.query.map { $0.name == "vnp_SecureHash" ? QueryParameter(name: $0.name, value: String($0.value.prefix(64))) : $0 }
        #expect(CallbackFixtures.verdict(vnpay, short)
            == .refused(.malformedSignature("vnp_SecureHash", reason: "64 hex digits, expected 128 for HMAC-SHA512")))
        var twice = vnpay.sample.request
        twice.query.append(QueryParameter(name: "vnp_SecureHash", value: "00"))
        #expect(CallbackFixtures.verdict(vnpay, twice) == .refused(.duplicateSignatureField("vnp_SecureHash")))
    }

    @Test func unreadableBodiesAreRefusedWithAReason() {
        let payos = CallbackFixtures.description("payos")
        var request = payos.sample.request
        request.body = Array("{\"data\":1,".utf8)
        guard case .refused(.unreadableBody(let reason)) = CallbackFixtures.verdict(payos, request) else {
            Issue.record("a truncated body must be unreadable")
            return
        }
        #expect(reason.contains("unexpected end"))
        request.body = Array(repeating: UInt8(ascii: " "), count: CallbackLimits.bodyBytesMax + 1)
        #expect(CallbackFixtures.verdict(payos, request)
            == .refused(.unreadableBody("body of \(CallbackLimits.bodyBytesMax + 1) bytes exceeds the limit of \(CallbackLimits.bodyBytesMax)")))
    }
}
