import Testing
import TestSupport
@testable import Payments

/// The audit row's headers object, built from the headers as received (an array sorted once), is the
/// text the dictionary of headers gave: names in byte order, a repeated name keeping its last value.
@Suite struct DeliveryAuditJSONTests {
    @Test func headersObjectAsFromTheDictionary() {
        let names = ["content-type", "x-signature", "x-request-id", "user-agent", "a", "b", "x-sig", "x-signature2", "tên", "te\u{0302}n",
                     "\u{00E9}", "e\u{0301}", "z", ""]
        let values = ["application/json", "t=1,v1=ab", "\"quoted\"", "line\u{2028}sep", "Nguyễn", "", "\\", "😀"]
        var random = SplitMix64(seed: 0x70)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...8, using: &random)
            let fields = (0..<count).map { _ in
                (name: names[Int.random(in: 0..<names.count, using: &random)], value: values[Int.random(in: 0..<values.count, using: &random)])
            }
            let dictionary = Dictionary(fields, uniquingKeysWith: { _, last in last })
            #expect(DeliveryAudit.jsonObject(fields) == DeliveryAudit.jsonObject(dictionary), "\(fields)")
        }
        #expect(DeliveryAudit.jsonObject([(name: "b", value: "1"), (name: "a", value: "2"), (name: "b", value: "3")]) == #"{"a":"2","b":"3"}"#)
    }
}
