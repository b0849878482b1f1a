import Core
import Foundation
import Testing
@testable import BankFormats

/// The published signature vectors (docs/domain.md §4), byte for byte, through the scheme code (not through descriptions).
@Suite struct CallbackVectorTests {
    static let cassoKey = CallbackSecret("mgExMrjj4i7a1p8Cs6LmFbpCd8lbw4sSX4LZXPag7TKazeIogtR90tvWYTkwQbvs")!
    static let cassoBody = #"{"error":0,"data":{"id":0,"reference":"MA_GIAO_DICH_THU_NGHIEM","description":"giao dich thu nghiem","amount":599000,"runningBalance":25000000,"transactionDateTime":"2024-10-03 15:06:37","accountNumber":"88888888","bankName":"VPBank","bankAbbreviation":"VPB","virtualAccountNumber":"","virtualAccountName":"","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"8888888888","counterAccountBankId":"970415","counterAccountBankName":"VietinBank"}}"#
    static let cassoSignature = "ed0a4bd2e826d5cb69988cdb141e6c1a080e21f3b57eb72cd78192220042b9e7dde0868fc667faea8e224900fa7904e7c88dfa098032fb2d6b6996856e8b7ff3"
    static let cassoScheme = TimestampedHMACScheme(
        algorithm: .sha512, signatureHeader: "X-Casso-Signature",
        layout: .keyedItems(timestampKey: "t", signatureKey: "v1"), timestampUnit: .milliseconds,
        toleranceSeconds: 300, signedBody: .canonicalJSON(slash: .either), hexCase: .lower)

    @Test func cassoVectorVerifies() throws {
        let request = CallbackRequest(
            method: "POST", headers: [CallbackHeader(name: "x-casso-signature", value: "t=1727948258788,v1=\(Self.cassoSignature)")],
            body: Array(Self.cassoBody.utf8))
        let now = Date(timeIntervalSince1970: 1_727_948_258.788 + 10)
        let verdict = SignatureScheme.timestampedHMAC(Self.cassoScheme)
            .verify(request, credentials: CallbackCredentials(secrets: [Self.cassoKey]), now: now)
        #expect(verdict == .accepted(secretIndex: 0))
        let header = try Self.cassoScheme.sign(secret: Self.cassoKey, timestamp: 1_727_948_258_788, body: Array(Self.cassoBody.utf8))
        #expect(header == "t=1727948258788,v1=\(Self.cassoSignature)")
    }

    static let payOSData = #"{"accountNumber":"0123456789","amount":20000,"description":"thanh toan","reference":"FT-REFERENCE","transactionDateTime":"2025-12-12 09:00:00","virtualAccountNumber":"","counterAccountBankId":"01202001","counterAccountBankName":"","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"9876543210","virtualAccountName":"","currency":"VND","orderCode":0,"paymentLinkId":"payment-link-id","code":"00","desc":"success"}"#

    @Test func payOSVectorSigns() throws {
        let scheme = SortedFieldsHMACScheme(
            algorithm: .sha256, dataPath: try CallbackFieldPath("data"), signaturePath: try CallbackFieldPath("signature"), hexCase: .lower)
        let data = try StrictJSONParser.parse(Array(Self.payOSData.utf8), limits: CallbackLimits.bodyJSON)
        #expect(try scheme.signature(secret: CallbackSecret("test_checksum_key")!, data: data)
            == "302b3becca1672dff99daafae2965f40e48ea3ca39453e4bf37fbcc26807a0e8")
    }

    static let vnpayQuery: [QueryParameter] = [
        ("vnp_Amount", "1000000"), ("vnp_BankCode", "NCB"), ("vnp_BankTranNo", "VNP14422574"), ("vnp_CardType", "ATM"),
        ("vnp_OrderInfo", "Thanh toan don hang 2024-05-21T02:17:31.249Z"), ("vnp_PayDate", "20240521091806"),
        ("vnp_ResponseCode", "00"), ("vnp_TmnCode", "TEST_TMN_CODE"), ("vnp_TransactionNo", "14422574"),
        ("vnp_TransactionStatus", "00"), ("vnp_TxnRef", "1716257871703"),
    ].map { QueryParameter(name: $0.0, value: $0.1) }

    @Test func vnpayVectorSigns() throws {
        let scheme = FormQueryHMACScheme(
            algorithm: .sha512, signatureParameter: "vnp_SecureHash", excludedParameters: ["vnp_SecureHashType"],
            parameterPrefix: "vnp_", skipEmptyValues: true, unreservedPunctuation: FormURLEncoding.standardUnreservedPunctuation,
            hexCase: .either)
        #expect(try scheme.signature(secret: CallbackSecret("test_secret")!, query: Self.vnpayQuery.reversed())
            == "649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361dbf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895")
    }
}
