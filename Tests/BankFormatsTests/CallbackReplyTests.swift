import Testing
@testable import BankFormats

@Suite struct CallbackReplyTests {
    func reply(_ provider: String, _ outcome: CallbackOutcome) -> CallbackReply {
        CallbackFixtures.description(provider).replies.reply(for: outcome)
    }

    func text(_ reply: CallbackReply) -> String { String(decoding: reply.body, as: UTF8.self) }

    @Test func vnpayRepliesFollowItsCodes() {
        let expected: [CallbackOutcome: String] = [
            .accepted: #"{"RspCode":"00","Message":"Confirm Success"}"#,
            .duplicate: #"{"RspCode":"02","Message":"Order already confirmed"}"#,
            .unknownAccount: #"{"RspCode":"01","Message":"Order not found"}"#,
            .invalidAmount: #"{"RspCode":"04","Message":"Invalid amount"}"#,
            .refusedSignature: #"{"RspCode":"97","Message":"Invalid Checksum"}"#,
            .malformed: #"{"RspCode":"99","Message":"Unknown error"}"#,
            .unavailable: #"{"RspCode":"99","Message":"Unknown error"}"#,
        ]
        for outcome in CallbackOutcome.allCases {
            let reply = reply("vnpay", outcome)
            #expect(reply.status == 200 && reply.contentType == "application/json")
            #expect(text(reply) == expected[outcome])
        }
    }

    @Test func momoWantsAnEmpty204() {
        for outcome in [CallbackOutcome.accepted, .duplicate] {
            #expect(reply("momo", outcome) == CallbackReply(status: 204, contentType: nil, body: []))
        }
        #expect(reply("momo", .unavailable).status == 503)
        #expect(reply("momo", .refusedSignature).status == 401)
    }

    @Test func sepayAndOthersAcknowledgeWithJSON() {
        #expect(text(reply("sepay", .accepted)) == #"{"success":true}"#)
        #expect(reply("sepay", .accepted).status == 200)
        #expect(text(reply("sepay", .refusedSignature)) == #"{"success":false,"message":"invalid signature"}"#)
        #expect(text(reply("tuition", .accepted)) == #"{"status":"accepted"}"#)
        #expect(text(reply("tuition", .duplicate)) == #"{"status":"duplicate"}"#)
    }

    /// Except VNPay (which reads RspCode from a 200), "unavailable" must be a 503 so the sender retries,
    /// accepted and duplicate must be 2xx so it stops, and every refusal must not be 2xx.
    @Test(arguments: ["tuition", "sepay", "sepay-hmac", "casso", "payos", "momo"])
    func statusesTellTheSenderWhatToDo(_ provider: String) {
        #expect(reply(provider, .unavailable).status == 503)
        #expect((200..<300).contains(reply(provider, .accepted).status))
        #expect((200..<300).contains(reply(provider, .duplicate).status))
        for outcome in [CallbackOutcome.refusedSignature, .malformed, .unknownAccount, .invalidAmount] {
            #expect((400..<500).contains(reply(provider, outcome).status), "\(provider) \(outcome)")
        }
    }
}
