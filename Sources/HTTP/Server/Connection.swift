/// One accepted connection, owned by one event loop (never touched by another thread).
final class Connection {
    enum State: Equatable {
        /// Parsing: waiting for (or decoding) a head or a body.
        case reading
        /// A worker runs the handler; input is not read (pipelined requests wait in the kernel and the buffer).
        case handling
        /// A response is being written.
        case writing
        /// After a closing response: the write side is shut, unread input is drained until EOF or a deadline.
        case lingering
        case closed
    }

    /// What to do once the body is complete.
    enum Routing {
        case route(Route, PathParameters, HTTPRequestHead)
        /// The answer was decided from the head (404, 405) and the request has no body.
        case answer(Response)
    }

    let token: UInt64
    let transport: any HTTPTransport
    let peer: String
    /// The peer's address without the port: the key of the per-address limits.
    let address: String
    /// Counted in the per-address table (release on close).
    let admissionTracked: Bool
    /// Body bytes reserved in the server-wide budget for the current request.
    var bodyBytesReserved = 0
    let input: InputBuffer
    var state = State.reading
    var timer: ConnectionTimer
    var decoder: HTTPRequestDecoder
    var output: [UInt8] = []
    var outputOffset = 0
    var closeAfterWrite = false
    /// False when the kernel may hold unread bytes (set by readiness events, cleared by short reads).
    var socketDrained = false
    var requestsServed = 0
    var exchange: Exchange?
    var routing: Routing?
    var lingerBytes = 0
    /// Monotonic time before which the next request is not read: the address drew too many refusals.
    var heldUntil: UInt64?
    /// Set when the TLS handshake finishes; `.absent` for plain TCP.
    var clientCertificate = ClientCertificateStatus.absent

    init(token: UInt64, transport: any HTTPTransport, peer: String, address: String, admissionTracked: Bool,
         limits: HTTPParserLimits, acceptedAt now: UInt64) {
        self.token = token
        self.transport = transport
        self.peer = peer
        self.address = address
        self.admissionTracked = admissionTracked
        timer = ConnectionTimer(acceptedAt: now, handshaking: !transport.isEstablished)
        decoder = HTTPRequestDecoder(limits: limits)
        let headBytesMax = limits.requestLineBytesMax + limits.headerSectionBytesMax
        input = InputBuffer(
            initialCapacity: Self.initialInputBytes,
            capacityMax: max(headBytesMax + Self.readBytesMin, Self.bodyReadBytes))
    }

    /// Initial input buffer; enough for typical API request heads.
    static let initialInputBytes = 4 * 1024
    /// Free space required before a read while parsing a head.
    static let readBytesMin = 4 * 1024
    /// Free space sought before a read while receiving a body.
    static let bodyReadBytes = 64 * 1024
    /// An output buffer larger than this is released after its response instead of kept for reuse.
    static let outputKeepBytesMax = 64 * 1024
}
