import Glibc

/// A small pull scanner for the SpreadsheetML parts of a workbook: start tags (with their attribute
/// bytes), end tags and text, by byte ranges into the part, no copies.
///
/// Processing instructions and comments are skipped, CDATA is text, a DOCTYPE is refused (no entity
/// is ever declared or expanded). Element names are compared by local name (`x:row` is `row`).
/// Every step moves forward; malformed markup is an `XLSXMarkupError` with its byte offset.
struct XLSXMarkupScanner {
    enum Token {
        /// Local name, attribute bytes, and whether it closes itself (`<c r="A1"/>`).
        case start(name: Range<Int>, attributes: Range<Int>, isEmpty: Bool)
        case end(name: Range<Int>)
        /// Raw text (entities not decoded), or CDATA content (`isCDATA`).
        case text(Range<Int>, isCDATA: Bool)
        case endOfInput
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func next() throws(XLSXMarkupError) -> Token {
        while position < bytes.count {
            guard bytes[position] == UInt8(ascii: "<") else {
                let start = position
                position = find(UInt8(ascii: "<"), from: position) ?? bytes.count
                return .text(start..<position, isCDATA: false)
            }
            guard position + 1 < bytes.count else { throw error("markup cut short") }
            switch bytes[position + 1] {
            case UInt8(ascii: "?"):
                position = try after("?>", from: position + 2)
            case UInt8(ascii: "!"):
                if matches("<!--", at: position) {
                    position = try after("-->", from: position + 4)
                } else if matches("<![CDATA[", at: position) {
                    let start = position + 9
                    position = try after("]]>", from: start)
                    return .text(start..<(position - 3), isCDATA: true)
                } else {
                    throw error("a DOCTYPE or declaration is not allowed in a workbook part")
                }
            case UInt8(ascii: "/"):
                guard let close = find(UInt8(ascii: ">"), from: position + 2) else { throw error("end tag not closed") }
                let name = localName(position + 2, trimmedEnd(position + 2, close))
                position = close + 1
                return .end(name: name)
            default:
                return try startTag()
            }
        }
        return .endOfInput
    }

    private mutating func startTag() throws(XLSXMarkupError) -> Token {
        let nameStart = position + 1
        var cursor = nameStart
        while cursor < bytes.count, !isNameEnd(bytes[cursor]) { cursor += 1 }
        guard cursor > nameStart else { throw error("'<' does not start a tag") }
        let name = localName(nameStart, cursor)
        // Attribute values may hold '>' inside quotes.
        var quote: UInt8 = 0
        let attributesStart = cursor
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            }
            cursor += 1
        }
        guard cursor < bytes.count else { throw error("start tag not closed") }
        let isEmpty = cursor > attributesStart && bytes[cursor - 1] == UInt8(ascii: "/")
        position = cursor + 1
        return .start(name: name, attributes: attributesStart..<(isEmpty ? cursor - 1 : cursor), isEmpty: isEmpty)
    }

    /// The value bytes of attribute `name` (local name) among `attributes`, nil when absent.
    func attribute(_ name: StaticString, in attributes: Range<Int>) -> Range<Int>? {
        var found: Range<Int>?
        forEachAttribute(in: attributes) { attributeName, value in
            guard equals(attributeName, name) else { return true }
            found = value
            return false
        }
        return found
    }

    /// Calls `visit` with each attribute's local name and value bytes, in order, until it returns false:
    /// one pass when several attributes of a tag are wanted (a cell's `r`, `t` and `s`).
    func forEachAttribute(in attributes: Range<Int>, _ visit: (_ name: Range<Int>, _ value: Range<Int>) -> Bool) {
        var cursor = attributes.lowerBound
        let end = attributes.upperBound
        while cursor < end {
            while cursor < end, isSpace(bytes[cursor]) { cursor += 1 }
            let nameStart = cursor
            while cursor < end, bytes[cursor] != UInt8(ascii: "="), !isSpace(bytes[cursor]) { cursor += 1 }
            let attributeName = localName(nameStart, cursor)
            while cursor < end, bytes[cursor] != UInt8(ascii: "=") { cursor += 1 }
            cursor += 1
            while cursor < end, isSpace(bytes[cursor]) { cursor += 1 }
            guard cursor < end else { return }
            let quote = bytes[cursor]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return }
            let valueStart = cursor + 1
            cursor = valueStart
            while cursor < end, bytes[cursor] != quote { cursor += 1 }
            guard visit(attributeName, valueStart..<min(cursor, end)) else { return }
            cursor += 1
        }
    }

    /// Called for every tag with each name the reader knows: inlined, and most names differ in length.
    @inline(__always)
    func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let pointer = text.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] { return false }
        return true
    }

    /// Text with its entities decoded, appended to `output`.
    func decodedText(_ range: Range<Int>, isCDATA: Bool, into output: inout [UInt8]) throws(XLSXMarkupError) {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        if isCDATA || !raw.contains(UInt8(ascii: "&")) {
            output.append(contentsOf: raw)
        } else if let problem = XMLEntityDecoding.decode(raw, into: &output) {
            throw XLSXMarkupError(message: problem, offset: range.lowerBound)
        }
    }

    private func localName(_ start: Int, _ end: Int) -> Range<Int> {
        var index = end
        while index > start {
            if bytes[index - 1] == UInt8(ascii: ":") { return index..<end }
            index -= 1
        }
        return start..<end
    }

    private func trimmedEnd(_ start: Int, _ end: Int) -> Int {
        var index = end
        while index > start, isSpace(bytes[index - 1]) { index -= 1 }
        return index
    }

    /// The next `byte` from `start`: `memchr`, which scans a word or a vector at a time (text and the
    /// space between tags are most of a sheet's bytes).
    private func find(_ byte: UInt8, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    private func matches(_ text: StaticString, at index: Int) -> Bool {
        guard index + text.utf8CodeUnitCount <= bytes.count else { return false }
        return equals(index..<(index + text.utf8CodeUnitCount), text)
    }

    /// The index just past the next `terminator` from `start`.
    private func after(_ terminator: StaticString, from start: Int) throws(XLSXMarkupError) -> Int {
        var index = start
        while index + terminator.utf8CodeUnitCount <= bytes.count {
            if matches(terminator, at: index) { return index + terminator.utf8CodeUnitCount }
            index += 1
        }
        throw error("'\(terminator)' missing")
    }

    @inline(__always) private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    @inline(__always) private func isNameEnd(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/")
    }

    private func error(_ message: String) -> XLSXMarkupError { XLSXMarkupError(message: message, offset: position) }
}

struct XLSXMarkupError: Error, Equatable {
    var message: String
    var offset: Int
}
