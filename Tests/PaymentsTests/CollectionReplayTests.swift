import BankFormats
import Foundation
import Payments
import Testing

/// Replay protection across a restart of the service (`CollectionNonces`, `CollectionFutureNonces`)
/// and connections bound to a bank's client certificate (`CollectionClientCertificates`).
@Suite struct CollectionReplayTests {
    typealias Month = CollectionServiceTests.Month

    static func inquiryBody(_ code: String = "HS001") throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: ["service_code": CollectionFixture.service, "customer_code": code], options: [.sortedKeys]))
    }

    static func header(_ body: [UInt8], at seconds: Int64, nonce: String) -> String {
        CollectionSigning.header(secret: CallbackSecret(CollectionFixture.secret)!, timestamp: seconds, nonce: nonce, path: "inquiry", body: body)
    }

    @Test func aRequestCapturedBeforeARestartIsRefusedAfterIt() throws {
        let month = try Month()
        let body = try Self.inquiryBody()
        let captured = Self.header(body, at: Int64(month.fixture.now.timeIntervalSince1970), nonce: "captured-before-restart")
        #expect(month.fixture.sendRaw("inquiry", body, signature: captured).outcome == .ok)
        #expect(month.fixture.sendRaw("inquiry", body, signature: captured).outcome == .replayed)

        let restarted = month.fixture.restarted(afterSeconds: 5)
        let replay = restarted.sendRaw("inquiry", body, signature: captured)
        #expect(replay.outcome == .stale && replay.status == 401)
        #expect(replay.reason?.contains("before this server started") == true)
        // Within the ±300 s window, so only the restart rule refuses it; a freshly signed request is served.
        #expect(try restarted.send("inquiry", ["customer_code": "HS001"]).outcome == .ok)
        #expect(try restarted.count("SELECT count(*) FROM collection_future_nonces") == 0)
    }

    @Test func aRequestSignedAheadOfOurClockIsRememberedAcrossARestart() throws {
        let month = try Month()
        let body = try Self.inquiryBody()
        let ahead = Self.header(body, at: Int64(month.fixture.now.timeIntervalSince1970) + 120, nonce: "bank-clock-ahead")
        #expect(month.fixture.sendRaw("inquiry", body, signature: ahead).outcome == .ok)
        #expect(try month.fixture.count("SELECT count(*) FROM collection_future_nonces") == 1)

        let restarted = month.fixture.restarted(afterSeconds: 5)
        let replay = restarted.sendRaw("inquiry", body, signature: ahead)
        #expect(replay.outcome == .replayed && replay.status == 409)
        // Another nonce signed ahead is still served once, and a request on time leaves no row.
        #expect(restarted.sendRaw("inquiry", body, signature: Self.header(body, at: Int64(restarted.now.timeIntervalSince1970) + 60,
                                                                         nonce: "bank-clock-ahead-2")).outcome == .ok)
        #expect(try restarted.send("inquiry", ["customer_code": "HS001"]).outcome == .ok)
        #expect(try restarted.count("SELECT count(*) FROM collection_future_nonces") == 2)
        // Once stale they are deleted (at the next sweep of a write).
        let later = restarted.restarted(afterSeconds: 700)
        #expect(later.sendRaw("inquiry", body, signature: Self.header(body, at: Int64(later.now.timeIntervalSince1970) + 10,
                                                                     nonce: "bank-clock-ahead-3")).outcome == .ok)
        #expect(try later.count("SELECT count(*) FROM collection_future_nonces") == 1)
    }

    static let pinned = "3F:5A:0C:91:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:02"
    static var pinnedHex: String { pinned.replacingOccurrences(of: ":", with: "").lowercased() }

    @Test func aConnectionBoundToACertificateServesOnlyThatCertificate() throws {
        let stored = try CollectionClientCertificates.validated([CollectionClientCertificates.parameter: Self.pinned])
        #expect(stored[CollectionClientCertificates.parameter] == Self.pinnedHex)
        let month = try Month(parameters: stored)
        let other = String(Self.pinnedHex.dropLast()) + "3"
        let refusedBefore = try month.fixture.count("SELECT count(*) FROM collection_refusals")
        for presented in [nil, other, String(Self.pinnedHex.prefix(32))] {
            let reply = try month.fixture.send("inquiry", ["customer_code": "HS001"], clientCertificate: presented)
            #expect(reply.outcome == .forged && reply.status == 401)
            #expect(reply.reason?.contains("client certificate") == true)
        }
        #expect(try month.fixture.count("SELECT count(*) FROM collection_refusals") == refusedBefore + 3)
        #expect(try month.fixture.send("inquiry", ["customer_code": "HS001"], clientCertificate: Self.pinnedHex).outcome == .ok)
        // A wrong signature stays refused with the right certificate: the binding adds to the signature.
        #expect(try month.fixture.send("inquiry", ["customer_code": "HS001"], secret: "not-the-secret-1",
                                       clientCertificate: Self.pinnedHex).outcome == .forged)
        // The bank-style token endpoint is bound too.
        #expect(try month.fixture.vnbankToken().outcome == .forged)
    }

    @Test func aFingerprintThatIsNotSHA256IsRefusedWhenTheConnectionIsAdded() throws {
        for bad in ["3F:5A", String(repeating: "g", count: 64), String(repeating: "a", count: 66)] {
            #expect(throws: CollectionParameterError.self) {
                try CollectionClientCertificates.validated([CollectionClientCertificates.parameter: bad])
            }
        }
        #expect(try CollectionClientCertificates.validated(["reversalCutoffDays": "1"]) == ["reversalCutoffDays": "1"])
    }
}
