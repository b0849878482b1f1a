/// Which client a request comes from: the socket's peer address, unless that peer is a trusted reverse proxy.
/// Then it is the right-most address of `Forwarded` (`for=`), or else of `X-Forwarded-For`, that is not itself a
/// trusted proxy: each proxy appends the address it saw, so entries to the left of the last untrusted one are
/// whatever the client chose to send and are never believed.
public enum ClientAddress {
    /// Bytes of forwarding headers read; longer ones are ignored (the proxy's own address is used).
    static let forwardedHeaderBytesMax = 2 * 1024
    /// Longest address text accepted from a header (an IPv6 address is at most 45 characters).
    static let addressBytesMax = 64

    /// "192.0.2.1:5123" → "192.0.2.1"; "[2001:db8::1]:5123" → "2001:db8::1"; a bare address is returned as is.
    public static func host(ofPeer peer: String) -> String {
        if peer.hasPrefix("[") {
            guard let close = peer.firstIndex(of: "]") else { return peer }
            return String(peer[peer.index(after: peer.startIndex)..<close])
        }
        // One colon: IPv4 with a port. More: a bare IPv6 address.
        let parts = peer.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[0]) : peer
    }

    /// The client address of a request that arrived from `peerAddress` with `headers`.
    public static func resolve(peerAddress: String, headers: HTTPHeaders, trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peerAddress) else { return peerAddress }
        let chain: [String]
        let forwarded = headers.values(for: "Forwarded").joined(separator: ",")
        if !forwarded.isEmpty {
            chain = forwardedFor(forwarded)
        } else {
            chain = forwardedList(headers.values(for: "X-Forwarded-For").joined(separator: ","))
        }
        guard let client = chain.reversed().first(where: { !trustedProxies.contains($0) }),
              !client.isEmpty, client.utf8.count <= addressBytesMax else { return peerAddress }
        return client
    }

    /// The entries of `X-Forwarded-For`, in order, ports removed.
    static func forwardedList(_ value: String) -> [String] {
        guard value.utf8.count <= forwardedHeaderBytesMax else { return [] }
        return value.split(separator: ",").map { host(ofPeer: trim($0)) }
    }

    /// The `for=` values of RFC 7239 `Forwarded`, in order, quotes, brackets and ports removed.
    static func forwardedFor(_ value: String) -> [String] {
        guard value.utf8.count <= forwardedHeaderBytesMax else { return [] }
        var found: [String] = []
        for element in value.split(separator: ",") {
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, trim(parts[0]).lowercased() == "for" else { continue }
                var node = trim(parts[1])
                if node.count >= 2 && node.hasPrefix("\"") && node.hasSuffix("\"") { node = String(node.dropFirst().dropLast()) }
                found.append(host(ofPeer: node))
            }
        }
        return found
    }

    private static func trim(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
