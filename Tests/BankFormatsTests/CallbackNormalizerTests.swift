import Core
import Foundation
import Testing
@testable import BankFormats

@Suite struct CallbackNormalizerTests {
    func normalize(_ provider: String, _ request: CallbackRequest) throws(CallbackInputError) -> NormalizedCallbackTransaction {
        try CallbackNormalizer(description: CallbackFixtures.description(provider)).normalize(request)
    }

    func error(_ provider: String, _ request: CallbackRequest) -> CallbackInputError? {
        do {
            _ = try normalize(provider, request)
            return nil
        } catch {
            return error
        }
    }

    func vnpay(replacing name: String, with value: String?) -> CallbackRequest {
        var request = CallbackFixtures.description("vnpay").sample.request
        request.query.removeAll { $0.name == name }
        if let value { request.query.append(QueryParameter(name: name, value: value)) }
        return request
    }

    func body(_ provider: String, _ old: String, _ new: String) -> CallbackRequest {
        CallbackFixtures.replacingInBody(CallbackFixtures.description(provider).sample.request, old, new)
    }

    @Test func vnpayAmountIsDividedByAHundredExactly() throws {
        #expect(try normalize("vnpay", vnpay(replacing: "vnp_Amount", with: "250000000")).amount == 2_500_000)
        let fraction = error("vnpay", vnpay(replacing: "vnp_Amount", with: "1000050"))
        #expect(fraction == .field("vnp_Amount", .notWholeDong("1000050", divisor: 100)))
        #expect(fraction?.suggestedOutcome == .invalidAmount)
        #expect(error("vnpay", vnpay(replacing: "vnp_Amount", with: "1e6")) == .field("vnp_Amount", .notAnInteger("1e6")))
        #expect(error("vnpay", vnpay(replacing: "vnp_Amount", with: "")) == .field("vnp_Amount", .notAnInteger("")))
        #expect(error("vnpay", vnpay(replacing: "vnp_Amount", with: "99999999999999999999"))
            == .field("vnp_Amount", .outOfRange("99999999999999999999")))
        #expect(error("vnpay", vnpay(replacing: "vnp_Amount", with: nil)) == .field("vnp_Amount", .missing))
        #expect(try normalize("vnpay", vnpay(replacing: "vnp_Amount", with: "-100")).amount == -1)
    }

    @Test func amountsAreIntegersWithinMoneyBounds() throws {
        #expect(error("sepay", body("sepay", "\"transferAmount\":1500000", "\"transferAmount\":1500000.00"))
            == .field("transferAmount", .notAnInteger("1500000.00")))
        #expect(error("sepay", body("sepay", "\"transferAmount\":1500000", "\"transferAmount\":\"1500000\""))
            == .field("transferAmount", .wrongType(expected: "number", found: "string")))
        #expect(error("sepay", body("sepay", "\"transferAmount\":1500000", "\"transferAmount\":1000000000000000001"))
            == .field("transferAmount", .outOfRange("1000000000000000001")))
        #expect(try normalize("sepay", body("sepay", "\"transferAmount\":1500000", "\"transferAmount\":0")).amount == 0)
    }

    @Test func directionFromFieldsAndSigns() throws {
        let out = try normalize("sepay", body("sepay", "\"transferType\":\"in\"", "\"transferType\":\"out\""))
        #expect(out.direction == .outgoing && out.amount == 1_500_000)
        #expect(error("sepay", body("sepay", "\"transferType\":\"in\"", "\"transferType\":\"IN\""))
            == .field("transferType", .unknownValue("IN", allowed: ["in", "out"])))
        let cassoOut = try normalize("casso", body("casso", "\"amount\":599000", "\"amount\":-599000"))
        #expect(cassoOut.direction == .outgoing && cassoOut.amount == 599_000)
        #expect(try normalize("casso", CallbackFixtures.description("casso").sample.request).direction == .incoming)
    }

    @Test func errorsNameTheFieldPath() {
        #expect(error("sepay", body("sepay", "\"accountNumber\":\"0071000888888\",", "")) == .field("accountNumber", .missing))
        #expect(error("sepay", body("sepay", "\"accountNumber\":\"0071000888888\"", "\"accountNumber\":\"\"")) == .field("accountNumber", .empty))
        #expect(error("sepay", body("sepay", "\"accountNumber\":\"0071000888888\"", "\"accountNumber\":[1]"))
            == .field("accountNumber", .wrongType(expected: "string", found: "array")))
        #expect(error("casso", body("casso", "\"data\":{", "\"data\":\"x\",\"other\":{")) == .field("data.id", .parentNotObject("'data'")))
        #expect(error("payos", body("payos", "\"code\":\"00\",\"desc\"", "\"desc\"")) == .field("code", .missing))
        #expect(error("vnpay", vnpay(replacing: "vnp_TxnRef", with: nil)) == .field("vnp_TxnRef", .missing))
        var twice = CallbackFixtures.description("vnpay").sample.request
        twice.query.append(QueryParameter(name: "vnp_TxnRef", value: "2"))
        #expect(error("vnpay", twice) == .field("vnp_TxnRef", .repeated))
        #expect(CallbackInputError.field("vnp_TxnRef", .repeated).description == "field 'vnp_TxnRef': given more than once")
        #expect(error("sepay", body("sepay", "\"accountNumber\":\"0071000888888\",", ""))?.suggestedOutcome == .malformed)
    }

    @Test func timesAreParsedStrictlyAndPlacedInVietnam() throws {
        let bad = ["2026-02-30 10:21:07", "2026-09-15T10:21:07", "2026-09-15 24:00:00", "2026-09-15 10:21", "15/09/2026 10:21:07", ""]
        for text in bad {
            let request = body("sepay", "\"transactionDate\":\"2026-09-15 10:21:07\"", "\"transactionDate\":\"\(text)\"")
            let expected: CallbackInputError = text.isEmpty
                ? .field("transactionDate", .empty)
                : .field("transactionDate", .badTime(text, format: "yyyy-MM-dd HH:mm:ss"))
            #expect(error("sepay", request) == expected)
        }
        #expect(error("vnpay", vnpay(replacing: "vnp_PayDate", with: "20240521091860")) == .field("vnp_PayDate", .badTime("20240521091860", format: "yyyyMMddHHmmss")))
        let late = try normalize("tuition", body("tuition", "2026-09-15T10:21:07+07:00", "2026-09-15T17:30:00Z"))
        #expect(late.localDate.iso == "2026-09-16")
        #expect(late.occurredAt == Date(timeIntervalSince1970: 1_789_493_400))
        let fraction = try normalize("tuition", body("tuition", "2026-09-15T10:21:07+07:00", "2026-09-15T10:21:07.5+07:00"))
        #expect(fraction.occurredAt == Date(timeIntervalSince1970: 1_789_442_467.5))
        #expect(error("tuition", body("tuition", "2026-09-15T10:21:07+07:00", "2026-09-15T10:21:07"))
            == .field("booked_at", .badTime("2026-09-15T10:21:07", format: "iso8601")))
        #expect(error("momo", body("momo", "\"responseTime\":1789442467123", "\"responseTime\":\"1789442467123\""))
            == .field("responseTime", .wrongType(expected: "number", found: "string")))
    }

    @Test func successFlagsFollowTheSenderStatus() throws {
        #expect(try !normalize("vnpay", vnpay(replacing: "vnp_ResponseCode", with: "24")).succeeded)
        #expect(try !normalize("vnpay", vnpay(replacing: "vnp_TransactionStatus", with: "02")).succeeded)
        #expect(error("vnpay", vnpay(replacing: "vnp_TransactionStatus", with: nil)) == .field("vnp_TransactionStatus", .missing))
        #expect(try !normalize("momo", body("momo", "\"resultCode\":0", "\"resultCode\":1006")).succeeded)
        #expect(try !normalize("momo", body("momo", "\"resultCode\":0", "\"resultCode\":\"0\"")).succeeded)
        #expect(try !normalize("payos", body("payos", "\"code\":\"00\",\"desc\":\"success\"}", "\"code\":\"01\",\"desc\":\"x\"}")).succeeded)
        #expect(try !normalize("casso", body("casso", "\"error\":0", "\"error\":1")).succeeded)
        #expect(try normalize("sepay", CallbackFixtures.description("sepay").sample.request).succeeded)
    }

    @Test func compositeIDsSplitOneWay() throws {
        #expect(error("vnpay", vnpay(replacing: "vnp_TxnRef", with: "a:b")) == .field("vnp_TxnRef", .containsSeparator("a:b", separator: ":")))
        #expect(try normalize("vnpay", vnpay(replacing: "vnp_TransactionNo", with: "1:2")).providerTransactionID == "1716257871703:1:2")
        #expect(error("vnpay", vnpay(replacing: "vnp_TransactionNo", with: "")) == .field("vnp_TransactionNo", .empty))
    }

    @Test func optionalFieldsTreatNullAndEmptyAsAbsent() throws {
        let noMemo = try normalize("sepay", body("sepay", "\"content\":\"HP7K2Q9X NGUYEN VAN AN\"", "\"content\":null"))
        #expect(noMemo.memo == "")
        let virtual = try normalize("sepay", body("sepay", "\"subAccount\":null", "\"subAccount\":\"V2MSHS0001\""))
        #expect(virtual.virtualAccount == "V2MSHS0001")
        #expect(error("tuition", body("tuition", "\"memo\":\"HP7K2Q9X NGUYEN VAN AN\",", "")) == .field("memo", .missing))
    }

    @Test func transportAndBodyAreChecked() {
        var get = CallbackFixtures.description("tuition").sample.request
        get.method = "GET"
        #expect(error("tuition", get) == .wrongMethod(expected: "POST", received: "GET"))
        var post = CallbackFixtures.description("vnpay").sample.request
        post.method = "POST"
        #expect(error("vnpay", post) == .wrongMethod(expected: "GET", received: "POST"))
        var array = CallbackFixtures.description("tuition").sample.request
        array.body = Array("[]".utf8)
        #expect(error("tuition", array) == .unreadableBody("body is a JSON array, not an object"))
    }
}
