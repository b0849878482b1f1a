#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a parser's bytes come from, a chunk at a time.
protocol ByteSource {
    /// Fills the front of `buffer`; returns the byte count, 0 at the end of the input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file read with `read(2)`, refused past `StatementLimits.fileBytesMax`.
final class FileByteSource: ByteSource {
    private var descriptor: Int32
    private let file: String
    private var bytesRead = 0
    /// The size `fstat` gave at open (the file may still change): a capacity hint for reading it whole.
    private(set) var sizeAtOpen = 0

    init(path: String) throws {
        file = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StatementParseError(.io, file: path, message: "cannot open: \(FileByteSource.errorText())")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            defer { close(descriptor) }
            throw StatementParseError(.io, file: path, message: "cannot stat: \(FileByteSource.errorText())")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw StatementParseError(.io, file: path, message: "not a regular file")
        }
        guard Int(status.st_size) <= StatementLimits.fileBytesMax else {
            close(descriptor)
            throw FileByteSource.tooLarge(path)
        }
        sizeAtOpen = Int(status.st_size)
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw StatementParseError(.io, file: file, message: "cannot read: \(FileByteSource.errorText())")
            }
            bytesRead += count
            // The file may grow after the size check.
            guard bytesRead <= StatementLimits.fileBytesMax else { throw FileByteSource.tooLarge(file) }
            return count
        }
    }

    static func tooLarge(_ file: String) -> StatementParseError {
        StatementParseError(.limit, file: file, message: "the file is larger than \(StatementLimits.fileBytesMax) bytes")
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Bytes already in memory (tests, uploads).
struct MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8], name: String) throws {
        guard bytes.count <= StatementLimits.fileBytesMax else { throw FileByteSource.tooLarge(name) }
        self.bytes = bytes
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

@inline(__always)
private func systemRead(_ descriptor: Int32, _ address: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, address, count)
}
