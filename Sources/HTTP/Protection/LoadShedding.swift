/// Whether a request is refused up front because the workers are behind: low-priority classes first, so the
/// queue keeps room for the requests that matter. Decided from the request head, before any body is read.
public enum LoadShedding {
    /// True when a request of `routeClass` must be answered 503 now, with `generalQueueDepth` requests waiting.
    public static func sheds(_ routeClass: RouteClass, generalQueueDepth: Int, limits: ProtectionConfiguration) -> Bool {
        switch routeClass {
        case .critical: false
        case .expensive: generalQueueDepth >= limits.shedExpensiveQueueDepth
        case .standard: generalQueueDepth >= limits.shedStandardQueueDepth
        }
    }
}
