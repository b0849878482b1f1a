@testable import HTTP

/// Runs the decoder over `bytes` the way the server does, optionally `chunk` bytes at a time.
struct DecodeRun {
    var heads: [HTTPRequestHead] = []
    var bodies: [[UInt8]] = []
    var error: HTTPParseError?
    /// Bytes left unconsumed at the end.
    var leftover = 0

    init(_ bytes: [UInt8], bodyBytesMax: Int = 1 << 20, limits: HTTPParserLimits = HTTPParserLimits(), chunk: Int? = nil) {
        var decoder = HTTPRequestDecoder(limits: limits)
        var buffer: [UInt8] = []
        var fed = 0
        let step = chunk ?? max(bytes.count, 1)
        while true {
            let result = buffer.withUnsafeBytes { decoder.decode($0) }
            buffer.removeFirst(result.consumed)
            switch result.event {
            case .needMoreData:
                guard fed < bytes.count else {
                    leftover = buffer.count
                    return
                }
                let next = min(bytes.count, fed + step)
                buffer += bytes[fed..<next]
                fed = next
            case .head(let head):
                heads.append(head)
                if let refused = decoder.startBody(bodyBytesMax: bodyBytesMax) {
                    error = refused
                    return
                }
            case .end(let body):
                bodies.append(body)
            case .error(let refused):
                error = refused
                return
            }
        }
    }

    init(_ text: String, bodyBytesMax: Int = 1 << 20, limits: HTTPParserLimits = HTTPParserLimits(), chunk: Int? = nil) {
        self.init(Array(text.utf8), bodyBytesMax: bodyBytesMax, limits: limits, chunk: chunk)
    }
}
