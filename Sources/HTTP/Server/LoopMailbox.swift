import CSystem
import Glibc
import Synchronization

/// A message to an event loop from another thread.
enum LoopMessage: Sendable {
    /// A worker (or a deferred handler's `ResponseCompletion`) finished a request of connection `token`.
    case completed(token: UInt64, exchange: Exchange, response: Response)
    case beginShutdown
    /// Another loop admitted a connection over the cap because it had nothing to evict: evict one here.
    case evictOne
    /// Another loop accepted and admitted this socket, and hands it to this loop, which owns fewer (`LoopBalance`).
    case adopt(descriptor: Int32, peer: String, address: String, tracked: Bool)
}

/// Messages for one event loop plus an eventfd that wakes it. The eventfd is written only when the list goes
/// from empty to non-empty, so a burst of completions costs one wake-up.
final class LoopMailbox: Sendable {
    let eventDescriptor: Int32
    private let messages = Mutex<[LoopMessage]>([])

    init() throws(SystemCallError) {
        eventDescriptor = try SystemCall.run("eventfd") {
            tuition_eventfd(0, Int32(O_NONBLOCK) | Int32(O_CLOEXEC))
        }
    }

    deinit {
        // Sockets handed to a loop that ended before it read its mailbox.
        for case .adopt(let descriptor, _, _, _) in messages.withLock({ $0 }) { SystemCall.close(descriptor) }
        SystemCall.close(eventDescriptor)
    }

    func post(_ message: LoopMessage) {
        let wasEmpty = messages.withLock { messages in
            messages.append(message)
            return messages.count == 1
        }
        if wasEmpty { wake() }
    }

    /// Posts `batch` with one wake-up at most (the replies of one committed batch: `ResponseCompletion.postingTogether`).
    func post(contentsOf batch: [LoopMessage]) {
        guard !batch.isEmpty else { return }
        let wasEmpty = messages.withLock { messages in
            let wasEmpty = messages.isEmpty
            messages.append(contentsOf: batch)
            return wasEmpty
        }
        if wasEmpty { wake() }
    }

    /// Resets the eventfd, then takes every message. A message posted after the reset wakes the loop again.
    func takeAll() -> [LoopMessage] {
        var counter: UInt64 = 0
        _ = try? SystemCall.runNonBlocking("read") { read(eventDescriptor, &counter, 8) }
        return messages.withLock { messages in
            let taken = messages
            messages.removeAll(keepingCapacity: true)
            return taken
        }
    }

    private func wake() {
        var one: UInt64 = 1
        // EAGAIN means the counter is already non-zero: the loop will wake anyway.
        _ = try? SystemCall.runNonBlocking("write") { write(eventDescriptor, &one, 8) }
    }
}
