import Core
import Crypto
import Foundation

/// The verdict on a request's authentication: the timestamp and nonce it carried, or why it is refused.
public enum CollectionVerdict: Sendable, Equatable {
    case accepted(timestamp: Int64, nonce: String)
    /// `outcome` is `.forged`, `.stale` or `.malformed`; `reason` never holds a secret or a received MAC.
    case refused(CollectionOutcome, reason: String)
}

/// Checks a request's signature or bearer token and checksum against a connection's secrets, in
/// constant time per comparison with no early exit among secrets (two are active during a rotation).
/// The time window is checked after the signature, so the audit tells a replayed genuine request from
/// a forgery.
public struct CollectionAuthenticator: Sendable {
    public let description: CollectionProviderDescription

    public init(description: CollectionProviderDescription) {
        self.description = description
    }

    public func verify(_ operation: CollectionOperation, headers: [CallbackHeader], envelope: CollectionEnvelope,
                       secrets: [CallbackSecret], now: Date) -> CollectionVerdict {
        guard !secrets.isEmpty else { return .refused(.forged, reason: "no secret configured") }
        switch description.authentication {
        case .timestampedHMAC(let header, let tolerance):
            return verifySigned(operation, header: header, tolerance: tolerance, headers: headers, envelope: envelope, secrets: secrets, now: now)
        case .bearerChecksum(let scheme):
            return verifyBearer(operation, scheme: scheme, headers: headers, envelope: envelope, secrets: secrets, now: now)
        }
    }

    // MARK: our contract

    func verifySigned(_ operation: CollectionOperation, header: String, tolerance: Int64, headers: [CallbackHeader],
                      envelope: CollectionEnvelope, secrets: [CallbackSecret], now: Date) -> CollectionVerdict {
        let values = headers.filter { $0.name.lowercased() == header.lowercased() }.map(\.value)
        guard values.count == 1, let parsed = CollectionSignatureHeader(values[0]) else {
            return .refused(.forged, reason: "missing, repeated or malformed \(header) header")
        }
        let message = CollectionSigning.message(timestamp: parsed.timestamp, nonce: parsed.nonce,
                                                path: description.paths[operation] ?? "", body: envelope.body)
        var matched = false
        for secret in secrets {
            let expected = Array(Hex.encode(HMACDigest.sha256(key: secret.bytes, message: message)).utf8)
            for candidate in parsed.signatures { matched = ConstantTime.equal(expected, Array(candidate.utf8)) || matched }
        }
        guard matched else { return .refused(.forged, reason: "bad signature") }
        return window(timestamp: parsed.timestamp, nonce: parsed.nonce, tolerance: tolerance, now: now)
    }

    // MARK: bank style

    func verifyBearer(_ operation: CollectionOperation, scheme: CollectionAuthentication.BearerChecksum, headers: [CallbackHeader],
                      envelope: CollectionEnvelope, secrets: [CallbackSecret], now: Date) -> CollectionVerdict {
        let authorization = headers.filter { $0.name.lowercased() == "authorization" }.map(\.value)
        guard authorization.count == 1, authorization[0].lowercased().hasPrefix("bearer "),
              CollectionTokens(description: description).verify(String(authorization[0].dropFirst(7)), merchant: envelope.merchant,
                                                                 secrets: secrets, now: now) else {
            return .refused(.forged, reason: "missing, invalid or expired bearer token")
        }
        let reader = CollectionFieldReader(json: envelope.json)
        let values: [String]
        let received: String
        let nonce: String
        let time: String
        do {
            values = try (scheme.checksumFields[operation.rawValue] ?? []).map { try reader.text($0, bytesMax: CollectionLimits.inquiryIDBytesMax, optional: true) ?? "" }
            received = try reader.text(scheme.checksumField, bytesMax: 128)!.lowercased()
            nonce = try reader.text(scheme.nonceField, bytesMax: CollectionLimits.nonceBytesMax)!
            time = try reader.text(scheme.timestampField, bytesMax: 40)!
        } catch {
            return .refused(.malformed, reason: "\(error)")
        }
        var matched = false
        for secret in secrets {
            let expected = Array(CollectionSigning.checksum(secret: secret, values: values, separator: scheme.separator).utf8)
            matched = ConstantTime.equal(expected, Array(received.utf8)) || matched
        }
        guard matched else { return .refused(.forged, reason: "bad checksum") }
        guard let instant = description.timeFormat.instant(time) else {
            return .refused(.malformed, reason: "\(scheme.timestampField): not a time in the format \(description.timeFormat.name)")
        }
        return window(timestamp: Int64(instant.timeIntervalSince1970.rounded(.down)), nonce: nonce, tolerance: scheme.toleranceSeconds, now: now)
    }

    func window(timestamp: Int64, nonce: String, tolerance: Int64, now: Date) -> CollectionVerdict {
        let age = Int64(now.timeIntervalSince1970.rounded(.down)) - timestamp
        guard age <= tolerance else { return .refused(.stale, reason: "stale timestamp: \(age) s old, tolerance \(tolerance) s") }
        guard -age <= tolerance else { return .refused(.stale, reason: "future timestamp: \(-age) s ahead, tolerance \(tolerance) s") }
        return .accepted(timestamp: timestamp, nonce: nonce)
    }
}

/// `t=<unix seconds>,n=<nonce>,v1=<hex>[,v1=<hex>]`; other keys are ignored (a future `v2`).
struct CollectionSignatureHeader {
    let timestamp: Int64
    let nonce: String
    let signatures: [String]

    init?(_ text: String) {
        guard text.utf8.count <= 1_024 else { return nil }
        var timestamp: Int64?, nonce: String?, signatures: [String] = []
        // Read as bytes (the header is ASCII): no Foundation trimming or String splitting per request.
        for item in text.utf8.split(separator: UInt8(ascii: ",")) {
            let trimmed = Self.trimmed(item)
            guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let key = trimmed[trimmed.startIndex..<equals], value = trimmed[trimmed.index(after: equals)...]
            switch String(decoding: key, as: UTF8.self) {
            case "t":
                guard timestamp == nil, (1...12).contains(value.count), value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                timestamp = Int64(ASCIIDigits.value(value) ?? 0)
            case "n":
                guard nonce == nil, (8...CollectionLimits.nonceBytesMax).contains(value.count),
                      value.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2C }) else { return nil }
                nonce = String(decoding: value, as: UTF8.self)
            case "v1":
                guard signatures.count < 4 else { return nil }
                signatures.append(String(decoding: value, as: UTF8.self).lowercased())
            default: continue
            }
        }
        guard let timestamp, let nonce, !signatures.isEmpty else { return nil }
        self.timestamp = timestamp
        self.nonce = nonce
        self.signatures = signatures
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: some Collection<UInt8>) -> ArraySlice<UInt8> {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let array = ArraySlice(bytes)
        guard let first = array.firstIndex(where: { !blank($0) }), let last = array.lastIndex(where: { !blank($0) }) else { return [] }
        return array[first...last]
    }
}

/// What a sender computes; public so banks' test harnesses, the docs' examples, tests and the bench
/// sign exactly as the authenticator checks.
public enum CollectionSigning {
    /// `"<t>.<nonce>.<operation path>.<raw body>"`: the path binds a signature to one operation.
    public static func message(timestamp: Int64, nonce: String, path: String, body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).\(nonce).\(path).".utf8) + body
    }

    /// The value of our contract's signature header.
    public static func header(secret: CallbackSecret, timestamp: Int64, nonce: String, path: String, body: [UInt8]) -> String {
        let mac = Hex.encode(HMACDigest.sha256(key: secret.bytes, message: message(timestamp: timestamp, nonce: nonce, path: path, body: body)))
        return "t=\(timestamp),n=\(nonce),v1=\(mac)"
    }

    /// Bank style: lower-case hex of SHA-256(secret + sep + value1 + sep + value2 ...).
    public static func checksum(secret: CallbackSecret, values: [String], separator: String) -> String {
        Hex.encode(SHA256Digest.hash(secret.bytes + Array(([""] + values).joined(separator: separator).utf8)))
    }
}

/// Short-lived bearer tokens of the bank-style token endpoint, stateless: `<expiry>.<hex MAC>` with
/// the MAC keyed by the connection's secret over the provider, merchant and expiry. Rotating the
/// secret (with --retire-old) revokes every token issued under the old one.
public struct CollectionTokens: Sendable {
    public let description: CollectionProviderDescription

    public init(description: CollectionProviderDescription) {
        self.description = description
    }

    public var lifetimeSeconds: Int64 {
        if case .bearerChecksum(let scheme) = description.authentication { return scheme.tokenSeconds }
        return 0
    }

    public func issue(merchant: String, secret: CallbackSecret, now: Date) -> String {
        let expiry = Int64(now.timeIntervalSince1970.rounded(.down)) + lifetimeSeconds
        return "\(expiry)." + mac(merchant: merchant, expiry: expiry, secret: secret)
    }

    public func verify(_ token: String, merchant: String, secrets: [CallbackSecret], now: Date) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...12).contains(parts[0].count), let expiry = Int64(parts[0]) else { return false }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard expiry > seconds, expiry <= seconds + lifetimeSeconds else { return false }
        var matched = false
        for secret in secrets {
            matched = ConstantTime.equal(Array(mac(merchant: merchant, expiry: expiry, secret: secret).utf8), Array(parts[1].lowercased().utf8)) || matched
        }
        return matched
    }

    /// Checks HTTP Basic credentials (`merchant:secret`) against the active secrets: both sides are
    /// hashed first so the comparison takes the same time whatever the lengths.
    public static func basicMatches(_ presented: String, secrets: [CallbackSecret]) -> Bool {
        let digest = SHA256Digest.hash(Array(presented.utf8))
        var matched = false
        for secret in secrets { matched = ConstantTime.equal(SHA256Digest.hash(secret.bytes), digest) || matched }
        return matched
    }

    /// The merchant and password of an `Authorization: Basic ...` header.
    public static func basicCredentials(_ header: String) -> (merchant: String, password: String)? {
        guard header.utf8.count <= 512, header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    func mac(merchant: String, expiry: Int64, secret: CallbackSecret) -> String {
        Hex.encode(HMACDigest.sha256(key: secret.bytes, message: Array("collect-token|\(description.provider)|\(merchant)|\(expiry)".utf8)))
    }
}
