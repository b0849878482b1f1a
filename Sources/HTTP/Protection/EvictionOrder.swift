/// Which connection to close when the connection cap is reached and a new client arrives.
///
/// Only connections that have not sent a complete request may go: a TLS handshake in progress, a head still
/// arriving (slowloris), or a kept-alive connection idle between requests. Among them the one that has waited
/// longest goes first: a flood's slow connections are older than an honest client that just connected, and an
/// idle keep-alive client only pays a reconnect. A connection reading a body, handled, written or lingering
/// after its response is never chosen.
public enum EvictionOrder {
    /// Since when the connection has been waiting for a request it has not completed; nil when it must not be
    /// evicted.
    public static func waitingSince(_ timer: ConnectionTimer) -> UInt64? {
        switch timer.phase {
        case .handshaking(let since): since
        case .awaitingHead(let since, _, _): since
        case .readingBody, .handling, .awaitingReply, .writing, .lingering: nil
        }
    }

    /// The candidate to evict, oldest waiting first (ties: the first listed); nil when none may be evicted.
    public static func victim<Candidate>(among candidates: some Sequence<(Candidate, ConnectionTimer)>) -> Candidate? {
        var best: (candidate: Candidate, since: UInt64)?
        for (candidate, timer) in candidates {
            guard let since = waitingSince(timer) else { continue }
            if best == nil || since < best!.since { best = (candidate, since) }
        }
        return best?.candidate
    }
}
