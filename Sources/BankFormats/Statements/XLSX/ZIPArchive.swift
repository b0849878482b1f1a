/// The entries of a ZIP archive held in memory, read from its central directory; each entry is
/// extracted on request (stored or deflated), bounded against zip bombs.
///
/// Refused with a clear `ZIPError`: no end-of-central-directory record, ZIP64 (never needed by a
/// statement), encrypted entries, methods other than stored and deflate, entries or names past the
/// limits, an entry declaring more than `XLSXLimits.entryBytesMax` or a ratio above
/// `XLSXLimits.compressionRatioMax`, data that decompresses to another size or checksum than declared.
struct ZIPArchive {
    struct Entry {
        var name: String
        var method: Int
        var flags: Int
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        var isEncrypted: Bool { flags & 1 != 0 }
    }

    let bytes: [UInt8]
    private(set) var entries: [String: Entry] = [:]
    /// Names in central directory order.
    private(set) var names: [String] = []

    static let endRecordBytes = 22
    static let commentBytesMax = 0xFFFF

    init(bytes: [UInt8]) throws(ZIPError) {
        self.bytes = bytes
        let end = try ZIPArchive.endRecord(bytes)
        let count = u16(end + 10)
        let directorySize = Int(u32(end + 12))
        let directoryOffset = Int(u32(end + 16))
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else { throw ZIPError("ZIP64 archives are not read") }
        guard count <= XLSXLimits.entriesMax else { throw ZIPError("more than \(XLSXLimits.entriesMax) entries") }
        guard directoryOffset + directorySize <= end else { throw ZIPError("the central directory lies outside the archive") }
        var cursor = directoryOffset
        for _ in 0..<count {
            let entry = try readDirectoryEntry(&cursor, limit: directoryOffset + directorySize)
            guard entries[entry.name] == nil else { throw ZIPError("entry \(entry.name) appears twice") }
            entries[entry.name] = entry
            names.append(entry.name)
        }
    }

    /// The end-of-central-directory record: searched backwards over the largest possible comment.
    private static func endRecord(_ bytes: [UInt8]) throws(ZIPError) -> Int {
        guard bytes.count >= endRecordBytes else { throw ZIPError("too short to be a ZIP archive") }
        var index = bytes.count - endRecordBytes
        let lowest = max(0, bytes.count - endRecordBytes - commentBytesMax)
        while index >= lowest {
            if bytes[index] == 0x50, bytes[index + 1] == 0x4B, bytes[index + 2] == 0x05, bytes[index + 3] == 0x06 { return index }
            index -= 1
        }
        throw ZIPError("no end of central directory: not a ZIP archive, or cut short")
    }

    private func readDirectoryEntry(_ cursor: inout Int, limit: Int) throws(ZIPError) -> Entry {
        guard cursor + 46 <= limit, u32(cursor) == 0x0201_4B50 else { throw ZIPError("central directory entry at byte \(cursor) is malformed") }
        let nameLength = u16(cursor + 28)
        let extraLength = u16(cursor + 30)
        let commentLength = u16(cursor + 32)
        guard nameLength <= XLSXLimits.entryNameBytesMax else { throw ZIPError("an entry name is longer than \(XLSXLimits.entryNameBytesMax) bytes") }
        let next = cursor + 46 + nameLength + extraLength + commentLength
        guard next <= limit else { throw ZIPError("central directory entry at byte \(cursor) runs past the directory") }
        let entry = Entry(
            name: String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self),
            method: u16(cursor + 10), flags: u16(cursor + 8), crc32: u32(cursor + 16),
            compressedSize: Int(u32(cursor + 20)), uncompressedSize: Int(u32(cursor + 24)), localHeaderOffset: Int(u32(cursor + 42)))
        cursor = next
        return entry
    }

    /// The entry's bytes, decompressed and checked against its declared size and CRC-32.
    func extract(_ name: String) throws(ZIPError) -> [UInt8] {
        guard let entry = entries[name] else { throw ZIPError("has no entry \(name)") }
        guard !entry.isEncrypted else { throw ZIPError("entry \(name) is encrypted (password-protected)") }
        guard entry.uncompressedSize <= XLSXLimits.entryBytesMax else {
            throw ZIPError("entry \(name) declares \(entry.uncompressedSize) bytes, more than \(XLSXLimits.entryBytesMax)")
        }
        // A deflate stream cannot shrink data more than about 1032:1; real sheets stay far below the limit.
        guard entry.uncompressedSize <= max(entry.compressedSize, 1) * XLSXLimits.compressionRatioMax else {
            throw ZIPError("entry \(name) would expand \(entry.uncompressedSize / max(entry.compressedSize, 1)) times, "
                           + "more than \(XLSXLimits.compressionRatioMax): a zip bomb?")
        }
        let header = entry.localHeaderOffset
        guard header + 30 <= bytes.count, u32(header) == 0x0403_4B50 else { throw ZIPError("entry \(name) has no local header") }
        let dataStart = header + 30 + u16(header + 26) + u16(header + 28)
        guard dataStart + entry.compressedSize <= bytes.count else { throw ZIPError("entry \(name) is cut short") }
        let data = bytes[dataStart..<(dataStart + entry.compressedSize)]
        let output: [UInt8]
        switch entry.method {
        case 0: output = Array(data)
        case 8:
            do {
                output = try Inflate.decompress(data, outputBytesMax: entry.uncompressedSize, expectedBytes: entry.uncompressedSize)
            } catch {
                throw ZIPError("entry \(name): \(error.message)")
            }
        default: throw ZIPError("entry \(name) uses compression method \(entry.method); only stored (0) and deflate (8) are read")
        }
        guard output.count == entry.uncompressedSize else {
            throw ZIPError("entry \(name) holds \(output.count) bytes but declares \(entry.uncompressedSize)")
        }
        guard CRC32.checksum(output) == entry.crc32 else { throw ZIPError("entry \(name) fails its CRC-32 check: the archive is damaged") }
        return output
    }

    private func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
    private func u32(_ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}

struct ZIPError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// CRC-32 (IEEE 802.3, as ZIP uses it), slicing by 8: eight tables, eight bytes per step.
public enum CRC32 {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        tables.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { buffer in
                var index = 0
                let count = buffer.count
                while index + 8 <= count {
                    let low = crc ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16
                                     | UInt32(buffer[index + 3]) << 24)
                    crc = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                        ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                        ^ t[3 * 256 + Int(buffer[index + 4])] ^ t[2 * 256 + Int(buffer[index + 5])]
                        ^ t[256 + Int(buffer[index + 6])] ^ t[Int(buffer[index + 7])]
                    index += 8
                }
                while index < count {
                    crc = t[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
                    index += 1
                }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
