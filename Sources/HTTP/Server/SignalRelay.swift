import Glibc
import Synchronization

/// Turns SIGTERM and SIGINT into `shutdown()` calls and SIGHUP into `reloadCertificates()`. The handler writes
/// the signal number to a pipe (the only work done in signal context); a thread reads the pipe and does the rest.
final class SignalRelay: Sendable {
    static let shared = SignalRelay()
    /// Read by the signal handler: an atomic load is async-signal-safe; the value is set before the handler.
    static let pipeWriteDescriptor = Atomic<Int32>(-1)
    static let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    private struct State: Sendable {
        var installed = false
        var servers: [HTTPServer] = []
    }

    private let state = Mutex(State())

    func register(_ server: HTTPServer) throws {
        try state.withLock { state in
            if !state.installed {
                try install()
                state.installed = true
            }
            state.servers.append(server)
        }
    }

    private func install() throws {
        var descriptors: [Int32] = [-1, -1]
        _ = try SystemCall.run("pipe") { pipe(&descriptors) }
        for descriptor in descriptors {
            _ = try SystemCall.run("fcntl") { fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
        // A full pipe must not block the handler; one pending byte per signal is plenty.
        _ = try SystemCall.run("fcntl") { fcntl(descriptors[1], F_SETFL, O_NONBLOCK) }
        Self.pipeWriteDescriptor.store(descriptors[1], ordering: .releasing)
        let readDescriptor = descriptors[0]
        try OSThread.spawn(name: "http-signals") { [self] in watch(readDescriptor) }
        for number in Self.handledSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = relaySignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            _ = try SystemCall.run("sigaction") { sigaction(number, &action, nil) }
        }
    }

    private func watch(_ descriptor: Int32) {
        while true {
            var byte: UInt8 = 0
            guard let count = try? SystemCall.run("read", { read(descriptor, &byte, 1) }), count == 1 else { continue }
            deliver(Int32(byte))
        }
    }

    private func deliver(_ number: Int32) {
        let reloading = number == SIGHUP
        let servers = state.withLock { $0.servers.filter { reloading ? $0.reloadsCertificates : $0.isRunning } }
        guard !servers.isEmpty else {
            // Nothing to drain or reload: behave as if no handler were installed.
            signal(number, SIG_DFL)
            raise(number)
            return
        }
        for server in servers {
            // A failed reload keeps the current certificates and is logged by the server.
            if reloading { try? server.reloadCertificates() } else { server.shutdown() }
        }
    }
}

/// The signal handler: async-signal-safe work only (an atomic load and `write`), errno preserved.
private func relaySignal(_ number: Int32) {
    let savedErrno = errno
    let descriptor = SignalRelay.pipeWriteDescriptor.load(ordering: .acquiring)
    if descriptor >= 0 {
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(descriptor, &byte, 1)
    }
    errno = savedErrno
}
