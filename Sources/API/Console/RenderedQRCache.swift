import Synchronization
import VietQR

/// SVGs of VietQR payloads already drawn. Encoding a QR code (eight masks scored) costs more than every database
/// query of the parents' page together, and a parent reloads the same page; the key is the whole payload text, so an
/// amount or memo that changes is a different entry, never a stale image.
final class RenderedQRCache: Sendable {
    /// Entries kept at most; when full the cache starts over (simple, and bounded).
    static let entriesMax = 4_096
    private let entries = Mutex<[String: String]>([:])

    func svg(_ payload: VietQRPayload) -> String {
        if let hit = entries.withLock({ $0[payload.text] }) { return hit }
        let svg = DocumentModels.svg(payload)
        entries.withLock { table in
            if table.count >= Self.entriesMax { table.removeAll(keepingCapacity: true) }
            table[payload.text] = svg
        }
        return svg
    }
}
