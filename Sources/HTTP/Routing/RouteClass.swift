/// How much a route matters when the server is overloaded, declared when the route is registered.
public enum RouteClass: String, Sendable, Equatable, CaseIterable {
    /// Bank callbacks and bank collection: run on worker threads other routes cannot take, from their own
    /// queue, and never shed. A bank that sees failures for long enough disables its webhook.
    case critical
    /// Ordinary API routes: shed when the general worker queue is long.
    case standard
    /// Costly routes (imports, reports, issuing, the parents' lookup): rate limited per token and per address,
    /// and shed first.
    case expensive
}
