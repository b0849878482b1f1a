import Foundation
import HTTP

/// The `http_limits` object of the configuration file: the server's flood protections. Every key is optional;
/// a missing one keeps the default of `HTTPServerConfiguration` (docs/operations.md lists them).
struct HTTPLimitSettings: Codable, Equatable {
    var connectionsMax: Int?
    var connectionsPerAddressMax: Int?
    var newConnectionsPerAddressPerSecond: Int?
    var newConnectionsPerAddressBurst: Int?
    var trustedProxies: [String]?
    var expensiveRequestsPerMinutePerToken: Int?
    var expensiveRequestsPerMinutePerAddress: Int?
    var expensiveRequestsBurst: Int?
    var criticalWorkersReserved: Int?
    var shedExpensiveQueueDepth: Int?
    var shedStandardQueueDepth: Int?
    var bodyBufferBytesMax: Int?
    var refusalsPerAddressPerSecond: Int?
    var refusalsPerAddressBurst: Int?
    var refusalHoldMilliseconds: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case connectionsMax = "connections_max", connectionsPerAddressMax = "connections_per_address_max"
        case newConnectionsPerAddressPerSecond = "new_connections_per_address_per_second"
        case newConnectionsPerAddressBurst = "new_connections_per_address_burst", trustedProxies = "trusted_proxies"
        case expensiveRequestsPerMinutePerToken = "expensive_requests_per_minute_per_token"
        case expensiveRequestsPerMinutePerAddress = "expensive_requests_per_minute_per_address"
        case expensiveRequestsBurst = "expensive_requests_burst", criticalWorkersReserved = "critical_workers_reserved"
        case shedExpensiveQueueDepth = "shed_expensive_queue_depth", shedStandardQueueDepth = "shed_standard_queue_depth"
        case bodyBufferBytesMax = "body_buffer_bytes_max"
        case refusalsPerAddressPerSecond = "refusals_per_address_per_second", refusalsPerAddressBurst = "refusals_per_address_burst"
        case refusalHoldMilliseconds = "refusal_hold_milliseconds"
    }

    static let fileKey = "http_limits"
    /// Upper bound of every count and rate here: larger values are typing mistakes, not policies.
    static let countMax = 1_000_000
    /// Upper bound of `body_buffer_bytes_max`: 16 GiB.
    static let bodyBufferBytesLimit = 16 << 30
    static let trustedProxiesMax = 64
    /// Upper bound of `refusal_hold_milliseconds`: a minute.
    static let refusalHoldMillisecondsMax = 60_000

    /// The unknown key of the object, if any.
    static func unknownKey(in object: [String: Any]) -> String? {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        return object.keys.sorted().first { !known.contains($0) }
    }

    /// Problems, each naming its key.
    func problems() -> [String] {
        var found: [String] = []
        let counts: [(CodingKeys, Int?, Int)] = [
            (.connectionsMax, connectionsMax, 1), (.connectionsPerAddressMax, connectionsPerAddressMax, 1),
            (.newConnectionsPerAddressPerSecond, newConnectionsPerAddressPerSecond, 1),
            (.newConnectionsPerAddressBurst, newConnectionsPerAddressBurst, 1),
            (.expensiveRequestsPerMinutePerToken, expensiveRequestsPerMinutePerToken, 1),
            (.expensiveRequestsPerMinutePerAddress, expensiveRequestsPerMinutePerAddress, 1),
            (.expensiveRequestsBurst, expensiveRequestsBurst, 1), (.criticalWorkersReserved, criticalWorkersReserved, 0),
            (.shedExpensiveQueueDepth, shedExpensiveQueueDepth, 0), (.shedStandardQueueDepth, shedStandardQueueDepth, 0),
            (.refusalsPerAddressPerSecond, refusalsPerAddressPerSecond, 1), (.refusalsPerAddressBurst, refusalsPerAddressBurst, 1),
        ]
        for (key, value, minimum) in counts {
            if let value, !(minimum...Self.countMax).contains(value) {
                found.append("\(Self.fileKey).\(key.rawValue): \(value) is not \(minimum) to \(Self.countMax)")
            }
        }
        if let bytes = bodyBufferBytesMax, !(0...Self.bodyBufferBytesLimit).contains(bytes) {
            found.append("\(Self.fileKey).body_buffer_bytes_max: \(bytes) is not 0 to \(Self.bodyBufferBytesLimit)")
        }
        if let hold = refusalHoldMilliseconds, !(0...Self.refusalHoldMillisecondsMax).contains(hold) {
            found.append("\(Self.fileKey).refusal_hold_milliseconds: \(hold) is not 0 to \(Self.refusalHoldMillisecondsMax)")
        }
        if let proxies = trustedProxies {
            if proxies.count > Self.trustedProxiesMax { found.append("\(Self.fileKey).trusted_proxies: more than \(Self.trustedProxiesMax)") }
            for proxy in proxies where !Self.isAddress(proxy) {
                found.append("\(Self.fileKey).trusted_proxies: '\(proxy.prefix(64))' is not an IPv4 or IPv6 address")
            }
        }
        return found
    }

    static func isAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// Applies the keys that are set.
    func apply(to configuration: inout HTTPServerConfiguration) {
        configuration.connectionsMax = connectionsMax ?? configuration.connectionsMax
        var protection = configuration.protection
        protection.connectionsPerAddressMax = connectionsPerAddressMax ?? protection.connectionsPerAddressMax
        protection.newConnectionsPerAddressPerSecond = newConnectionsPerAddressPerSecond.map(Double.init) ?? protection.newConnectionsPerAddressPerSecond
        protection.newConnectionsPerAddressBurst = newConnectionsPerAddressBurst ?? protection.newConnectionsPerAddressBurst
        protection.trustedProxies = trustedProxies ?? protection.trustedProxies
        protection.expensiveRequestsPerMinutePerToken = expensiveRequestsPerMinutePerToken ?? protection.expensiveRequestsPerMinutePerToken
        protection.expensiveRequestsPerMinutePerAddress = expensiveRequestsPerMinutePerAddress ?? protection.expensiveRequestsPerMinutePerAddress
        protection.expensiveRequestsBurst = expensiveRequestsBurst ?? protection.expensiveRequestsBurst
        protection.criticalWorkersReserved = criticalWorkersReserved ?? protection.criticalWorkersReserved
        protection.shedExpensiveQueueDepth = shedExpensiveQueueDepth ?? protection.shedExpensiveQueueDepth
        protection.shedStandardQueueDepth = shedStandardQueueDepth ?? protection.shedStandardQueueDepth
        protection.bodyBufferBytesMax = bodyBufferBytesMax ?? protection.bodyBufferBytesMax
        protection.refusalsPerAddressPerSecond = refusalsPerAddressPerSecond.map(Double.init) ?? protection.refusalsPerAddressPerSecond
        protection.refusalsPerAddressBurst = refusalsPerAddressBurst ?? protection.refusalsPerAddressBurst
        protection.refusalHoldMilliseconds = refusalHoldMilliseconds ?? protection.refusalHoldMilliseconds
        configuration.protection = protection
    }

    /// The effective limits as `http_limits.key = value` lines.
    var effectiveLines: [String] {
        var configuration = HTTPServerConfiguration()
        apply(to: &configuration)
        let limits = configuration.protection
        let values: [(CodingKeys, String)] = [
            (.connectionsMax, "\(configuration.connectionsMax)"), (.connectionsPerAddressMax, "\(limits.connectionsPerAddressMax)"),
            (.newConnectionsPerAddressPerSecond, "\(Int(limits.newConnectionsPerAddressPerSecond))"),
            (.newConnectionsPerAddressBurst, "\(limits.newConnectionsPerAddressBurst)"),
            (.trustedProxies, limits.trustedProxies.isEmpty ? "(none)" : limits.trustedProxies.joined(separator: ", ")),
            (.expensiveRequestsPerMinutePerToken, "\(limits.expensiveRequestsPerMinutePerToken)"),
            (.expensiveRequestsPerMinutePerAddress, "\(limits.expensiveRequestsPerMinutePerAddress)"),
            (.expensiveRequestsBurst, "\(limits.expensiveRequestsBurst)"), (.criticalWorkersReserved, "\(limits.criticalWorkersReserved)"),
            (.shedExpensiveQueueDepth, "\(limits.shedExpensiveQueueDepth)"), (.shedStandardQueueDepth, "\(limits.shedStandardQueueDepth)"),
            (.bodyBufferBytesMax, "\(limits.bodyBufferBytesMax)"),
            (.refusalsPerAddressPerSecond, "\(Int(limits.refusalsPerAddressPerSecond))"),
            (.refusalsPerAddressBurst, "\(limits.refusalsPerAddressBurst)"), (.refusalHoldMilliseconds, "\(limits.refusalHoldMilliseconds)"),
        ]
        return values.map { "\(Self.fileKey).\($0.0.rawValue) = \($0.1)" }
    }
}
