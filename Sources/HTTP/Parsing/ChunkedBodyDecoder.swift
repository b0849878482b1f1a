/// Decodes a chunked body (RFC 9112 §7.1) byte by byte, appending data to the caller's body.
///
/// Strict: chunk sizes are hex digits only (at most `sizeDigitsMax`), directly followed by CRLF or by a bounded
/// extension (`;...`, ignored); data must be followed by CRLF; trailers are validated, bounded and discarded.
struct ChunkedBodyDecoder {
    enum Outcome: Equatable {
        case needMoreData
        case done
        case failed(HTTPParseError)
    }

    private enum State {
        case size
        case sizeExtension
        case sizeLineFeed
        case data
        case dataCarriageReturn
        case dataLineFeed
        case trailer
    }

    /// 15 hex digits keep the running total far from overflow; real chunks are capped by the body limit first.
    static let sizeDigitsMax = 15

    private let bodyBytesMax: Int
    private let limits: HTTPParserLimits
    private var state = State.size
    private var sizeDigits = 0
    private var chunkSize = 0
    private var extensionBytes = 0
    private var dataRemaining = 0
    private var trailerLine: [UInt8] = []
    private var trailerBytes = 0
    private var trailerFields = 0

    init(bodyBytesMax: Int, limits: HTTPParserLimits) {
        precondition(bodyBytesMax >= 0)
        self.bodyBytesMax = bodyBytesMax
        self.limits = limits
    }

    /// Consumes bytes up to the end of the body; returns how many were consumed and whether the body is complete.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, into body: inout [UInt8]) -> (consumed: Int, outcome: Outcome) {
        var index = 0
        while index < bytes.count {
            if state == .data {
                let take = min(dataRemaining, bytes.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                dataRemaining -= take
                if dataRemaining == 0 { state = .dataCarriageReturn }
                continue
            }
            let byte = bytes[index]
            index += 1
            let step = advance(byte, bodyCount: body.count)
            if step != .needMoreData { return (index, step) }
        }
        return (index, .needMoreData)
    }

    private mutating func advance(_ byte: UInt8, bodyCount: Int) -> Outcome {
        switch state {
        case .size: return readSize(byte, bodyCount: bodyCount)
        case .sizeExtension: return readExtension(byte, bodyCount: bodyCount)
        case .sizeLineFeed: return byte == 0x0A ? endSizeLine(bodyCount: bodyCount) : fail("bare CR in a chunk-size line")
        case .data: preconditionFailure("data is copied in bulk")
        case .dataCarriageReturn:
            guard byte == 0x0D else { return fail("chunk data is not followed by CRLF") }
            state = .dataLineFeed
            return .needMoreData
        case .dataLineFeed:
            guard byte == 0x0A else { return fail("chunk data is not followed by CRLF") }
            state = .size
            sizeDigits = 0
            chunkSize = 0
            return .needMoreData
        case .trailer: return readTrailer(byte)
        }
    }

    private mutating func readSize(_ byte: UInt8, bodyCount: Int) -> Outcome {
        if ByteClass.isHexDigit(byte) {
            sizeDigits += 1
            guard sizeDigits <= Self.sizeDigitsMax else { return fail("the chunk size has too many digits") }
            chunkSize = chunkSize << 4 | Int(ByteClass.hexValue(byte))
            return .needMoreData
        }
        guard sizeDigits > 0 else { return fail("a chunk size must start with a hex digit") }
        switch byte {
        case 0x0D:
            state = .sizeLineFeed
            return .needMoreData
        case UInt8(ascii: ";"):
            state = .sizeExtension
            extensionBytes = 0
            return .needMoreData
        default:
            return fail("\(ByteClass.describe(byte)) after the chunk size")
        }
    }

    private mutating func readExtension(_ byte: UInt8, bodyCount: Int) -> Outcome {
        if byte == 0x0D {
            state = .sizeLineFeed
            return .needMoreData
        }
        guard ByteClass.isFieldValue(byte) else { return fail("\(ByteClass.describe(byte)) in a chunk extension") }
        extensionBytes += 1
        guard extensionBytes <= limits.chunkExtensionBytesMax else { return fail("a chunk extension is too long") }
        return .needMoreData
    }

    private mutating func endSizeLine(bodyCount: Int) -> Outcome {
        if chunkSize == 0 {
            state = .trailer
            return .needMoreData
        }
        guard chunkSize <= bodyBytesMax - bodyCount else { return .failed(.contentTooLarge(bodyBytesMax)) }
        dataRemaining = chunkSize
        state = .data
        return .needMoreData
    }

    private mutating func readTrailer(_ byte: UInt8) -> Outcome {
        trailerBytes += 1
        guard trailerBytes <= limits.trailerSectionBytesMax else {
            return .failed(.trailerTooLarge(limits.trailerSectionBytesMax))
        }
        guard byte == 0x0A else {
            trailerLine.append(byte)
            return .needMoreData
        }
        guard trailerLine.last == 0x0D else { return .failed(.lineEnding("bare LF in the trailer section")) }
        trailerLine.removeLast()
        if trailerLine.isEmpty { return .done }
        trailerFields += 1
        guard trailerFields <= limits.headerFieldsMax else { return .failed(.tooManyFields(limits.headerFieldsMax)) }
        let number = trailerFields
        let problem = trailerLine.withUnsafeBytes { line -> HTTPParseError? in
            do throws(HTTPParseError) {
                _ = try HeadLines.parseFieldLine(line, number: number)
                return nil
            } catch {
                return error
            }
        }
        if let problem { return .failed(problem) }
        trailerLine.removeAll(keepingCapacity: true)
        return .needMoreData
    }

    private func fail(_ detail: String) -> Outcome {
        .failed(.chunked(detail))
    }
}
