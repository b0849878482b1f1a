import Foundation
import Postgres
import Synchronization

/// Tells the route caches of this process when a bank connection, its receiving accounts or its
/// secrets changed in the database, from any process (migration 0026 notifies the channel on every
/// change, at commit).
///
/// A thread of its own LISTENs on a dedicated connection. Every notification, and every time the
/// listener connects or loses its connection, moves `generation` on: a cache entry read under an
/// older generation is never used again. While the listener is not connected, `isListening` is
/// false and the caches read the database on every request, as if they did not exist.
public final class ConnectionChanges: Sendable {
    public static let channel = "tuition_bank_connections"
    /// How long one wait lasts before the thread looks whether it must stop.
    static let waitMilliseconds: Int32 = 200
    /// Pause before connecting again after the listener's connection failed.
    static let reconnectDelayMilliseconds = 1_000

    struct State {
        var generation: UInt64 = 0
        var isListening = false
        var isStopping = false
    }

    private let state = Mutex(State())
    private let stoppedSignal = DispatchSemaphore(value: 0)
    let configuration: PostgresConfiguration

    /// Starts the listener thread; `stop()` ends it.
    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        Thread.detachNewThread { [self] in
            run()
        }
    }

    /// Moves on with every change seen (and every connect or disconnect of the listener).
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The generation, or nil while the listener is not connected (nothing may be cached then).
    public var listeningGeneration: UInt64? {
        state.withLock { $0.isListening ? $0.generation : nil }
    }

    /// Ends the listener thread and waits for it; afterwards nothing is cached.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.isStopping = true }
            return !state.isStopping
        }
        guard wasRunning else { return }
        stoppedSignal.wait()
    }

    private func run() {
        defer {
            state.withLock {
                $0.isListening = false
                $0.generation &+= 1
            }
            stoppedSignal.signal()
        }
        while !isStopping {
            guard let listener = try? PostgresListener(configuration: configuration, channel: Self.channel) else {
                pause()
                continue
            }
            // From here on every change committed is seen: entries read before are dropped.
            state.withLock {
                $0.isListening = true
                $0.generation &+= 1
            }
            listen(on: listener)
            state.withLock {
                $0.isListening = false
                $0.generation &+= 1
            }
            listener.close()
        }
    }

    private func listen(on listener: PostgresListener) {
        while !isStopping {
            do {
                if try listener.wait(timeoutMilliseconds: Self.waitMilliseconds) > 0 {
                    state.withLock { $0.generation &+= 1 }
                }
            } catch {
                return
            }
        }
    }

    private var isStopping: Bool { state.withLock { $0.isStopping } }

    private func pause() {
        var waited = 0
        while waited < Self.reconnectDelayMilliseconds, !isStopping {
            usleep(UInt32(Self.waitMilliseconds) * 1_000)
            waited += Int(Self.waitMilliseconds)
        }
    }
}
