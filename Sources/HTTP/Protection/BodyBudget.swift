import Synchronization

/// The server-wide budget of buffered request-body bytes. A request reserves its body's size (its
/// `Content-Length`, or the route's cap for a chunked body) before any body byte is read, and gives it back when
/// its response is queued or its connection closes. Many large uploads at once then get 503 instead of
/// exhausting memory.
final class BodyBudget: Sendable {
    let bytesMax: Int
    private let reserved = Atomic<Int>(0)

    init(bytesMax: Int) {
        self.bytesMax = bytesMax
    }

    var bytesReserved: Int { reserved.load(ordering: .relaxed) }

    /// Reserves `bytes`; false (nothing reserved) when that would go past the budget.
    func reserve(_ bytes: Int) -> Bool {
        precondition(bytes >= 0, "a negative body reservation")
        guard bytes > 0 else { return true }
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard bytes <= bytesMax - current else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let left = reserved.subtract(bytes, ordering: .relaxed).newValue
        precondition(left >= 0, "body budget released more than was reserved")
    }
}
