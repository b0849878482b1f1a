import Core
import Foundation
import Testing
@testable import BankFormats

/// Our own scheme and the vectors built from the documented formulas of the others
/// (expected values computed with `openssl dgst -hmac`, not with this code).
@Suite struct CallbackSignatureTests {
    static let secret = CallbackFixtures.secret("tuition_test_secret")

    @Test func tuitionSignMatchesAnIndependentVector() throws {
        let body = CallbackFixtures.bytes(#"{"transaction_id":"T1","amount":1000}"#)
        #expect(TuitionSignature.sign(secret: Self.secret, timestamp: 1_789_442_469, body: body)
            == "t=1789442469,v1=df5a772d5eede099f63b2fcc4af4dadaf0afe0cadef8013d25fa1d57e5d1ce70")
        #expect(TuitionSignature.sign(secret: CallbackFixtures.secret("k"), timestamp: 1_700_000_000, body: [])
            == "t=1700000000,v1=5c2999a43333a6877f49c8003f235c4f6de40f85b1b7414b70bd470a8db53d97")
        #expect(try TuitionSignature.scheme.sign(secret: Self.secret, timestamp: 1_789_442_469, body: body)
            == TuitionSignature.sign(secret: Self.secret, timestamp: 1_789_442_469, body: body))
    }

    func request(_ header: String, body: [UInt8]) -> CallbackRequest {
        CallbackRequest(method: "POST", headers: [CallbackHeader(name: TuitionSignature.header, value: header)], body: body)
    }

    @Test func tuitionAcceptsAnyListedSignatureAndIgnoresUnknownItems() {
        let body = CallbackFixtures.bytes(#"{"x":1}"#)
        let now = Date(timeIntervalSince1970: 1_789_442_469)
        let good = TuitionSignature.sign(secret: Self.secret, timestamp: 1_789_442_469, body: body)
        let mac = String(good.split(separator: "=").last!)
        let other = String(repeating: "0", count: 64)
        #expect(TuitionSignature.verify(request("t=1789442469,v1=\(other),v1=\(mac)", body: body), secrets: [Self.secret], now: now)
            == .accepted(secretIndex: 0))
        #expect(TuitionSignature.verify(request("t=1789442469,v0=legacy,v1=\(mac)", body: body), secrets: [Self.secret], now: now)
            == .accepted(secretIndex: 0))
        #expect(TuitionSignature.verify(request("v1=\(mac),t=1789442469", body: body), secrets: [Self.secret], now: now)
            == .accepted(secretIndex: 0))
        #expect(TuitionSignature.verify(request("t=1789442470,v1=\(mac)", body: body), secrets: [Self.secret], now: now)
            == .refused(.badSignature))
        let tooMany = "t=1789442469" + String(repeating: ",v1=\(other)", count: CallbackLimits.headerSignatureCountMax) + ",v1=\(mac)"
        #expect(TuitionSignature.verify(request(tooMany, body: body), secrets: [Self.secret], now: now)
            == .refused(.malformedHeader("Tuition-Signature", reason: "more than \(CallbackLimits.headerSignatureCountMax) signatures")))
    }

    @Test func secretsNeverShowInDescriptions() {
        let secret = CallbackFixtures.secret("super-secret-value")
        #expect(!"\(secret)".contains("super") && !String(reflecting: secret).contains("super"))
        #expect(CallbackSecret("") == nil)
        #expect(CallbackSecret(String(repeating: "k", count: CallbackSecret.bytesMax + 1)) == nil)
        let verdict = TuitionSignature.verify(request("t=1,v1=" + String(repeating: "a", count: 64), body: []), secrets: [secret],
                                              now: Date(timeIntervalSince1970: 1))
        #expect(!verdict.description.contains("super"))
    }

    @Test func momoTemplateMatchesAnIndependentVector() throws {
        guard case .fieldTemplateHMAC(let scheme) = CallbackFixtures.description("momo").signature else {
            throw CallbackProviderTests.TestFailure("momo is a template scheme")
        }
        let body = try StrictJSONParser.parse(CallbackFixtures.bytes(#"""
            {"partnerCode":"P","orderId":"O1","requestId":"R1","amount":10000,"orderInfo":"Hoc phi","orderType":"momo_wallet",
             "transId":42,"resultCode":0,"message":"Successful.","payType":"qr","responseTime":1700000000000,"extraData":""}
            """#), limits: CallbackLimits.bodyJSON)
        #expect(try scheme.signature(secret: CallbackFixtures.secret("mk"), body: body, parameters: ["accessKey": "AK"])
            == "bf2ff423af9d6e74ff11c92d9ae7b40118f94c6fdcbdde711d4ae5e172a8740f")
    }

    @Test func cassoAcceptsEitherSlashSpelling() throws {
        let casso = CallbackFixtures.description("casso")
        guard case .timestampedHMAC(let scheme) = casso.signature else { throw CallbackProviderTests.TestFailure("casso") }
        let body = CallbackFixtures.bytes(#"{"error":0,"data":{"id":7,"description":"HP 9/2026","amount":100}}"#)
        let secret = casso.sample.secret
        let now = Date(timeIntervalSince1970: 1_727_948_260)
        let plain = try scheme.sign(secret: secret, timestamp: 1_727_948_258_788, body: body)
        let message = Array("1727948258788.".utf8) + CallbackFixtures.bytes(#"{"data":{"amount":100,"description":"HP 9\/2026","id":7},"error":0}"#)
        let escapedMAC = CallbackFixtures.hexHMACSHA512(key: secret, message: message)
        for header in [plain, "t=1727948258788,v1=\(escapedMAC)"] {
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "X-Casso-Signature", value: header)], body: body)
            #expect(casso.signature.verify(request, credentials: CallbackCredentials(secrets: [secret]), now: now) == .accepted(secretIndex: 0))
        }
    }
}
