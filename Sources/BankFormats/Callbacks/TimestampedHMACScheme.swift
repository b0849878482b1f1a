import Crypto
import Foundation

/// HMAC over `"{t}." + body`, where `t` is the sender's timestamp exactly as written in the header.
///
/// Used by our own scheme (`Tuition-Signature: t=SECONDS,v1=HEX`), SePay's HMAC variant
/// (`X-SePay-Timestamp` + `X-SePay-Signature: sha256=HEX`) and Casso v2 (`X-Casso-Signature: t=MILLIS,v1=HEX`
/// over the canonical JSON of the body).
public struct TimestampedHMACScheme: Equatable, Sendable {
    public enum HeaderLayout: Equatable, Sendable {
        /// One header `t=TIMESTAMP,v1=HEX[,v1=HEX]...`: comma-separated `key=value` items;
        /// unknown keys are ignored so a sender may add newer signature versions.
        case keyedItems(timestampKey: String, signatureKey: String)
        /// The signature header holds `PREFIX` + HEX; the timestamp has its own header.
        case separateTimestamp(timestampHeader: String, signaturePrefix: String)
    }

    public enum TimestampUnit: String, CaseIterable, Equatable, Sendable {
        case seconds
        case milliseconds
    }

    /// What is signed after `"{t}."`.
    public enum SignedBody: Equatable, Sendable {
        /// The raw body bytes.
        case raw
        /// The body parsed and rewritten canonically: keys sorted at every depth, compact,
        /// non-ASCII as `\uXXXX`, numbers as written; `/` per `slash`.
        case canonicalJSON(slash: SlashEscaping)
    }

    public enum SlashEscaping: String, CaseIterable, Equatable, Sendable {
        case escaped
        case plain
        /// Accept either spelling: published reference code differs (PHP escapes `/`, JavaScript and Python do not).
        case either
    }

    public var algorithm: HMACAlgorithm
    public var signatureHeader: String
    public var layout: HeaderLayout
    public var timestampUnit: TimestampUnit
    /// Requests signed further than this from `now`, either way, are refused.
    public var toleranceSeconds: Int64
    public var signedBody: SignedBody
    public var hexCase: Hex.LetterCase

    public init(
        algorithm: HMACAlgorithm, signatureHeader: String, layout: HeaderLayout, timestampUnit: TimestampUnit,
        toleranceSeconds: Int64, signedBody: SignedBody, hexCase: Hex.LetterCase
    ) {
        precondition(toleranceSeconds > 0 && toleranceSeconds <= 86_400, "timestamp tolerance out of range")
        self.algorithm = algorithm
        self.signatureHeader = signatureHeader
        self.layout = layout
        self.timestampUnit = timestampUnit
        self.toleranceSeconds = toleranceSeconds
        self.signedBody = signedBody
        self.hexCase = hexCase
    }

    /// The signature header value for `body` signed at `timestamp` (in `timestampUnit`).
    /// With `.separateTimestamp` the timestamp header's value is `String(timestamp)`.
    public func sign(secret: CallbackSecret, timestamp: Int64, body: [UInt8]) throws(SignatureRefusal) -> String {
        precondition(timestamp >= 0, "timestamps are non-negative")
        let messages = try signedMessages(timestampText: String(timestamp), body: body)
        let mac = Hex.encode(HMACDigest.compute(algorithm, key: secret.bytes, message: messages[0]))
        switch layout {
        case .keyedItems(let timestampKey, let signatureKey): return "\(timestampKey)=\(timestamp),\(signatureKey)=\(mac)"
        case .separateTimestamp(_, let prefix): return prefix + mac
        }
    }

    func authenticate(_ request: CallbackRequest, secrets: [CallbackSecret], now: Date) throws(SignatureRefusal) -> Int {
        let (timestampText, provided) = try readHeaders(request)
        let messages = try signedMessages(timestampText: timestampText, body: request.body)
        let index = try SignatureMatcher.firstMatch(
            algorithm: algorithm, secrets: secrets, messages: messages, provided: provided)
        try checkWindow(timestampText, now: now)
        return index
    }

    /// The messages a genuine sender may have signed (two only for `SlashEscaping.either` on a body with `/`).
    func signedMessages(timestampText: String, body: [UInt8]) throws(SignatureRefusal) -> [[UInt8]] {
        let prefix = Array(timestampText.utf8) + [UInt8(ascii: ".")]
        switch signedBody {
        case .raw:
            guard body.count <= CallbackLimits.bodyBytesMax else {
                throw SignatureRefusal.unreadableBody("body of \(body.count) bytes exceeds the limit of \(CallbackLimits.bodyBytesMax)")
            }
            return [prefix + body]
        case .canonicalJSON(let slash):
            let value = try SignatureMatcher.jsonBody(CallbackRequest(method: "POST", body: body))
            let spellings: [Bool] = switch slash {
            case .escaped: [true]
            case .plain: [false]
            case .either: [false, true]
            }
            var messages: [[UInt8]] = []
            for escapeSlash in spellings {
                let options = JSONWriteOptions(sortKeys: true, escapeNonASCII: true, escapeSlash: escapeSlash)
                let message = prefix + JSONWriter.write(value, options: options)
                if !messages.contains(message) { messages.append(message) }
            }
            return messages
        }
    }

    private func readHeaders(_ request: CallbackRequest) throws(SignatureRefusal) -> (String, [[UInt8]]) {
        let header = try SignatureMatcher.singleHeader(request, signatureHeader)
        switch layout {
        case .keyedItems(let timestampKey, let signatureKey):
            return try readKeyedItems(header, timestampKey: timestampKey, signatureKey: signatureKey)
        case .separateTimestamp(let timestampHeader, let prefix):
            let timestamp = try SignatureMatcher.singleHeader(request, timestampHeader)
            try checkTimestampSyntax(timestamp, source: timestampHeader)
            guard header.hasPrefix(prefix) else {
                throw SignatureRefusal.malformedHeader(signatureHeader, reason: "does not start with '\(prefix)'")
            }
            let mac = try SignatureMatcher.decodeMAC(
                String(header.dropFirst(prefix.count)), algorithm: algorithm, letterCase: hexCase, source: signatureHeader)
            return (timestamp, [mac])
        }
    }

    private func readKeyedItems(
        _ header: String, timestampKey: String, signatureKey: String
    ) throws(SignatureRefusal) -> (String, [[UInt8]]) {
        var timestamp: String?
        var signatures: [[UInt8]] = []
        for item in TimestampedHMACScheme.items(of: header) {
            guard let equals = item.firstIndex(of: "="), equals > item.startIndex else {
                throw SignatureRefusal.malformedHeader(signatureHeader, reason: "items must be key=value separated by ','")
            }
            let key = String(item[..<equals]), value = String(item[item.index(after: equals)...])
            if key == timestampKey {
                guard timestamp == nil else { throw SignatureRefusal.malformedHeader(signatureHeader, reason: "'\(key)' given twice") }
                try checkTimestampSyntax(value, source: signatureHeader)
                timestamp = value
            } else if key == signatureKey {
                guard signatures.count < CallbackLimits.headerSignatureCountMax else {
                    throw SignatureRefusal.malformedHeader(signatureHeader, reason: "more than \(CallbackLimits.headerSignatureCountMax) signatures")
                }
                signatures.append(try SignatureMatcher.decodeMAC(value, algorithm: algorithm, letterCase: hexCase, source: signatureHeader))
            }
        }
        guard let timestamp else { throw SignatureRefusal.malformedHeader(signatureHeader, reason: "no '\(timestampKey)=' item") }
        guard !signatures.isEmpty else { throw SignatureRefusal.malformedHeader(signatureHeader, reason: "no '\(signatureKey)=' item") }
        return (timestamp, signatures)
    }

    /// The header's items, split at every ','. An ASCII header (every genuine one) is split on its bytes,
    /// which for ASCII is the split by Character (no ASCII character joins another into one, ',' least of all).
    static func items(of header: String) -> [Substring] {
        let utf8 = header.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return header.split(separator: ",", omittingEmptySubsequences: false) }
        var items: [Substring] = []
        var start = utf8.startIndex
        while let comma = utf8[start...].firstIndex(of: UInt8(ascii: ",")) {
            items.append(header[start..<comma])
            start = utf8.index(after: comma)
        }
        items.append(header[start...])
        return items
    }

    private func checkTimestampSyntax(_ text: String, source: String) throws(SignatureRefusal) {
        guard !text.isEmpty, text.utf8.count <= CallbackLimits.timestampDigitsMax,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw SignatureRefusal.malformedHeader(source, reason: "timestamp is not 1 to \(CallbackLimits.timestampDigitsMax) decimal digits")
        }
    }

    /// Refuses a timestamp further than `toleranceSeconds` from `now`. Compared in the sender's unit.
    private func checkWindow(_ text: String, now: Date) throws(SignatureRefusal) {
        guard let timestamp = Int64(text) else { preconditionFailure("timestamp syntax was checked") }
        let perSecond: Int64 = timestampUnit == .seconds ? 1 : 1000
        // Whole seconds are exact in a Date; milliseconds are not (0.788 has no binary form): round to nearest.
        let scaled = now.timeIntervalSince1970 * Double(perSecond)
        let nowInUnit = Int64(perSecond == 1 ? scaled.rounded(.down) : scaled.rounded())
        let difference = nowInUnit - timestamp
        let tolerance = toleranceSeconds * perSecond
        if difference > tolerance {
            throw SignatureRefusal.staleTimestamp(ageSeconds: difference / perSecond, toleranceSeconds: toleranceSeconds)
        }
        if -difference > tolerance {
            throw SignatureRefusal.futureTimestamp(aheadSeconds: -difference / perSecond, toleranceSeconds: toleranceSeconds)
        }
    }
}
