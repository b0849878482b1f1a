/// A window onto a byte source: bytes are consumed from the front and refilled a chunk at a time,
/// so memory stays bounded by the chunk size plus the longest token a reader keeps.
final class ChunkedInput {
    private var source: any ByteSource
    let file: String
    /// `bytes[start..<end]` is read and not yet consumed.
    /// Accessed for every byte: exclusivity is left unchecked because one parser owns the input and never
    /// holds an access across a call that could start another.
    @exclusivity(unchecked) private(set) var bytes: [UInt8]
    @exclusivity(unchecked) var start = 0
    @exclusivity(unchecked) private(set) var end = 0
    private(set) var isAtEnd = false
    /// Bytes consumed before `bytes[0]`.
    private(set) var consumedBefore = 0

    init(source: any ByteSource, file: String) {
        self.source = source
        self.file = file
        bytes = [UInt8](repeating: 0, count: StatementLimits.chunkBytes * 2)
    }

    var available: Int { end - start }

    /// Reads another chunk behind the unconsumed bytes; false at the end of the input.
    /// Callers bound how many unconsumed bytes they keep, so the buffer stays bounded.
    func fill() throws -> Bool {
        guard !isAtEnd else { return false }
        if start > 0 {
            let kept = end - start
            bytes.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: kept)
            }
            consumedBefore += start
            start = 0
            end = kept
        }
        if bytes.count - end < StatementLimits.chunkBytes {
            bytes.append(contentsOf: repeatElement(0, count: StatementLimits.chunkBytes))
        }
        let count = try bytes.withUnsafeMutableBytes { raw in
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
        }
        guard count > 0 else {
            isAtEnd = true
            return false
        }
        end += count
        return true
    }

    /// Reads until at least `count` bytes are available or the input ends.
    func ensure(_ count: Int) throws -> Bool {
        while available < count {
            guard try fill() else { return false }
        }
        return true
    }
}
