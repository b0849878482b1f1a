import Core
import Foundation
import TestSupport
import Testing
@testable import BankFormats

/// Sign-then-verify round trips over random inputs, and single changes that must break them.
@Suite struct CallbackPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 20_260_915]
    static let pieces = ["a", "Z", "0", " ", "/", "\"", "\\", "é", "Đ", "ễ", "😀", "\n", "\u{01}", ":", "&", "=", "+", "%", "~", "*"]

    static func text(_ random: inout SplitMix64, maxCount: Int = 12) -> String {
        (0..<Int.random(in: 0...maxCount, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func number(_ random: inout SplitMix64) -> String {
        ["0", "-0", "7", "599000", "-150000", "1.50", "2e3", "1E+03", "123456789012345678901234567890"].randomElement(using: &random)!
    }

    /// A random JSON value of bounded depth (recursion in a test generator, bounded by `depth`).
    static func value(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0...(depth > 0 ? 6 : 3), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(number(&random))
        case 3: return .string(text(&random))
        case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth - 1) })
        default: return object(&random, depth: depth - 1)
        }
    }

    static func object(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        var keys: Set<String> = []
        var members: [JSONMember] = []
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            let key = text(&random, maxCount: 4)
            guard keys.insert(key).inserted else { continue }
            members.append(JSONMember(key: key, value: value(&random, depth: depth)))
        }
        return .object(members)
    }

    /// The same value spelled differently: members reversed at the top, UTF-8 or `\u` escapes.
    static func respelled(_ value: JSONValue, _ random: inout SplitMix64) -> [UInt8] {
        guard case .object(let members) = value else { return JSONWriter.write(value, options: .compact) }
        let options = JSONWriteOptions(sortKeys: false, escapeNonASCII: Bool.random(using: &random), escapeSlash: Bool.random(using: &random))
        return JSONWriter.write(.object(members.reversed()), options: options)
    }

    @Test(arguments: seeds)
    func tuitionRoundTripsRandomBodies(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let secret = CallbackFixtures.secret("secret-\(seed)")
        for _ in 0..<100 {
            let body = (0..<Int.random(in: 0...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let timestamp = Int64.random(in: 1_600_000_000...1_900_000_000, using: &random)
            let now = Date(timeIntervalSince1970: TimeInterval(timestamp + Int64.random(in: -300...300, using: &random)))
            let header = TuitionSignature.sign(secret: secret, timestamp: timestamp, body: body)
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "tuition-signature", value: header)], body: body)
            #expect(TuitionSignature.verify(request, secrets: [secret], now: now) == .accepted(secretIndex: 0))
            var tampered = request
            if body.isEmpty { tampered.body = [0] } else {
                let index = Int.random(in: 0..<body.count, using: &random)
                tampered.body[index] ^= UInt8.random(in: 1...255, using: &random)
            }
            #expect(TuitionSignature.verify(tampered, secrets: [secret], now: now) == .refused(.badSignature))
        }
    }

    /// Casso signs canonical JSON: any spelling of the same object verifies; a changed value does not.
    @Test(arguments: seeds)
    func cassoCanonicalFormIgnoresSpelling(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let casso = CallbackFixtures.description("casso")
        guard case .timestampedHMAC(let scheme) = casso.signature else { throw CallbackProviderTests.TestFailure("casso") }
        for _ in 0..<60 {
            let value = Self.object(&random, depth: 3)
            let written = JSONWriter.write(value, options: .compact)
            let milliseconds = Int64.random(in: 1_700_000_000_000...1_800_000_000_000, using: &random)
            let header = try scheme.sign(secret: casso.sample.secret, timestamp: milliseconds, body: written)
            let respelled = Self.respelled(value, &random)
            let canonical = JSONWriteOptions(sortKeys: true, escapeNonASCII: true, escapeSlash: false)
            #expect(JSONWriter.write(try StrictJSONParser.parse(respelled, limits: CallbackLimits.bodyJSON), options: canonical)
                == JSONWriter.write(value, options: canonical))
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "X-Casso-Signature", value: header)], body: respelled)
            let now = Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000))
            #expect(casso.signature.verify(request, credentials: CallbackCredentials(secrets: [casso.sample.secret]), now: now)
                == .accepted(secretIndex: 0))
            guard case .object(var members) = value else { continue }
            members.append(JSONMember(key: "\u{1}added", value: .number("1")))
            let changed = CallbackRequest(method: "POST", headers: request.headers, body: JSONWriter.write(.object(members), options: .compact))
            #expect(casso.signature.verify(changed, credentials: CallbackCredentials(secrets: [casso.sample.secret]), now: now)
                == .refused(.badSignature))
        }
    }

    @Test(arguments: seeds)
    func payOSRoundTripsRandomFlatData(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let payos = CallbackFixtures.description("payos")
        guard case .sortedFieldsHMAC(let scheme) = payos.signature else { throw CallbackProviderTests.TestFailure("payos") }
        for _ in 0..<60 {
            var members: [JSONMember] = []
            var keys: Set<String> = []
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let key = "k" + Self.text(&random, maxCount: 3).filter { $0.isLetter }
                guard keys.insert(key).inserted else { continue }
                let scalar: JSONValue = [.null, .bool(true), .number(Self.number(&random)), .string(Self.text(&random))]
                    .randomElement(using: &random)!
                members.append(JSONMember(key: key, value: scalar))
            }
            let data = JSONValue.object(members)
            let signature = try scheme.signature(secret: payos.sample.secret, data: data)
            let body = JSONValue.object([JSONMember(key: "data", value: data), JSONMember(key: "signature", value: .string(signature))])
            let request = CallbackRequest(method: "POST", body: Self.respelled(body, &random))
            #expect(CallbackFixtures.verdict(payos, request) == .accepted(secretIndex: 0))
            let changedData = JSONValue.object(members + [JSONMember(key: "zzExtra", value: .string(""))])
            let changed = JSONValue.object([JSONMember(key: "data", value: changedData), JSONMember(key: "signature", value: .string(signature))])
            #expect(CallbackFixtures.verdict(payos, CallbackRequest(method: "POST", body: JSONWriter.write(changed, options: .compact)))
                == .refused(.badSignature))
        }
    }

    @Test(arguments: seeds)
    func vnpayRoundTripsRandomQueries(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let vnpay = CallbackFixtures.description("vnpay")
        guard case .formQueryHMAC(let scheme) = vnpay.signature else { throw CallbackProviderTests.TestFailure("vnpay") }
        for _ in 0..<60 {
            var names: Set<String> = []
            var parameters: [QueryParameter] = []
            for _ in 0..<Int.random(in: 1...10, using: &random) {
                let name = "vnp_" + Self.text(&random, maxCount: 6)
                guard names.insert(name).inserted, name != "vnp_SecureHash", name != "vnp_SecureHashType" else { continue }
                parameters.append(QueryParameter(name: name, value: Self.text(&random)))
            }
            parameters.shuffle(using: &random)
            let signature = try scheme.signature(secret: vnpay.sample.secret, query: parameters)
            let raw = (parameters + [QueryParameter(name: "vnp_SecureHash", value: signature)])
                .map { FormURLEncoding.encode($0.name) + "=" + FormURLEncoding.encode($0.value) }.joined(separator: "&")
            let request = try CallbackRequest(method: "GET", rawQuery: raw)
            #expect(request.query.count == parameters.count + 1)
            #expect(CallbackFixtures.verdict(vnpay, request) == .accepted(secretIndex: 0))
        }
    }
}
