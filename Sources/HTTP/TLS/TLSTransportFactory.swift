import Synchronization

/// Makes a `TLSTransport` per accepted socket from the current context, and replaces that context on reload.
final class TLSTransportFactory: HTTPTransportFactory {
    let configuration: TLSConfiguration
    private let current: Mutex<TLSContext>

    /// Loads the configured files; throws when one is missing or invalid.
    init(configuration: TLSConfiguration) throws(TLSConfigurationError) {
        configuration.validate()
        self.configuration = configuration
        current = Mutex(try TLSContext(configuration))
    }

    /// TLS clients would read a plain 503 as a broken handshake: over the cap they are just closed.
    var speaksPlainHTTP: Bool { false }

    func makeTransport(acceptedDescriptor: Int32) throws -> any HTTPTransport {
        let context = current.withLock { $0 }
        return try TLSTransport(descriptor: acceptedDescriptor, context: context)
    }

    /// Loads the files again. On success new connections use the new context; connections already open keep
    /// theirs (each SSL holds a reference). On failure nothing changes and the error is thrown.
    func reload() throws(TLSConfigurationError) {
        let fresh = try TLSContext(configuration)
        current.withLock { $0 = fresh }
    }
}
