/// One attribute of an XML start tag: local name (prefix dropped) and decoded value.
struct XMLAttribute: Equatable {
    var localName: String
    var value: String
}

/// A small streaming XML tokenizer: reads the input a chunk at a time and reports start tags,
/// end tags and character data, with the line and element path of each.
///
/// It checks well-formedness as far as a statement needs (matching tags, one root, quoted attributes,
/// valid references and UTF-8), decodes the predefined entities, character references and CDATA,
/// skips comments and processing instructions, and refuses any DOCTYPE, so no entity is ever
/// declared or expanded. Namespaces are ignored: names are reported by their local part.
/// Every token is bounded by `StatementLimits.xmlTokenBytesMax` and nesting by `xmlDepthMax`.
struct XMLTokenizer {
    enum Event: Equatable { case startElement, endElement, text, endOfDocument }

    private struct Frame {
        var qualifiedName: [UInt8]
        var localName: String
        var index: Int
        var childCounts: [String: Int] = [:]
    }

    let input: ChunkedInput
    /// Local names shown with an index in paths (`Stmt[2]`): the repeatable elements.
    private let indexedNames: Set<String>
    /// The line at the current read position.
    private var line = 1
    /// The line where the last reported event started.
    private(set) var eventLine = 1
    /// The element's local name, for `.startElement` and `.endElement`.
    var localName = ""
    /// The attributes of the last `.startElement` (namespace declarations left out).
    var attributes: [XMLAttribute] = []
    /// Decoded character data of the last `.text`.
    private(set) var text: [UInt8] = []
    private var frames: [Frame] = []
    var endPending = false
    var popPending = false
    private var sawRoot = false
    private var atDocumentStart = true
    /// Absolute offset where the document starts (after a byte order mark).
    private var documentStartOffset = 0

    init(input: ChunkedInput, indexedNames: Set<String>) {
        self.input = input
        self.indexedNames = indexedNames
    }

    var file: String { input.file }

    var openQualifiedName: [UInt8]? { frames.last?.qualifiedName }
    var openLocalName: String? { frames.last?.localName }

    /// Opens an element: checks depth and the single root, numbers it among its siblings.
    mutating func push(qualifiedName: [UInt8], localName: String) throws {
        guard frames.count < StatementLimits.xmlDepthMax else {
            throw error(.limit, "elements nested deeper than \(StatementLimits.xmlDepthMax)")
        }
        if frames.isEmpty {
            guard !sawRoot else { throw error(.structure, "a second root element <\(localName)>") }
            sawRoot = true
        }
        var index = 1
        if indexedNames.contains(localName), !frames.isEmpty {
            index = (frames[frames.count - 1].childCounts[localName] ?? 0) + 1
            frames[frames.count - 1].childCounts[localName] = index
        }
        frames.append(Frame(qualifiedName: qualifiedName, localName: localName, index: index))
    }
    /// Open elements, the root being depth 1.
    var depth: Int { frames.count }

    func localName(atDepth depth: Int) -> String { frames[depth - 1].localName }

    /// The path of open elements, e.g. `Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt`.
    func path(toDepth limit: Int? = nil) -> String {
        var parts: [String] = []
        for frame in frames.prefix(limit ?? frames.count) {
            parts.append(indexedNames.contains(frame.localName) ? "\(frame.localName)[\(frame.index)]" : frame.localName)
        }
        return parts.joined(separator: "/")
    }

    func error(_ kind: StatementParseError.Kind, _ message: String, line: Int? = nil) -> StatementParseError {
        StatementParseError(kind, file: input.file, line: line ?? eventLine, xmlPath: frames.isEmpty ? nil : path(), message: message)
    }

    mutating func next() throws -> Event {
        if popPending {
            popPending = false
            frames.removeLast()
        }
        if endPending {
            endPending = false
            popPending = true
            return .endElement
        }
        while true {
            guard try input.ensure(1) else { return try endOfInput() }
            eventLine = line
            if atDocumentStart { try skipByteOrderMark() }
            let first = input.bytes[input.start]
            if first != UInt8(ascii: "<") {
                if try readText() { return .text }
                continue
            }
            guard try input.ensure(2) else { throw error(.syntax, "the document ends inside markup") }
            switch input.bytes[input.start + 1] {
            case UInt8(ascii: "?"): try skipProcessingInstruction()
            case UInt8(ascii: "!"): if try readDeclaration() { return .text }
            case UInt8(ascii: "/"): return try readEndTag()
            default: return try readStartTag()
            }
        }
    }

    private func endOfInput() throws -> Event {
        guard frames.isEmpty else { throw error(.structure, "the document ends before </\(frames.last!.localName)>", line: line) }
        guard sawRoot else { throw error(.structure, "the document has no root element", line: line) }
        return .endOfDocument
    }

    private mutating func skipByteOrderMark() throws {
        atDocumentStart = false
        if try input.ensure(3), input.bytes[input.start] == 0xEF, input.bytes[input.start + 1] == 0xBB,
           input.bytes[input.start + 2] == 0xBF {
            input.start += 3
            documentStartOffset = 3
        }
        guard try input.ensure(1) else { return }
        let first = input.bytes[input.start]
        guard first != 0xFE && first != 0xFF && first != 0x00 else {
            throw error(.encoding, "the document is not UTF-8 (UTF-16 XML is not accepted)")
        }
    }

    // MARK: Scanning

    /// The offset from the read position of the first occurrence of `terminator`, reading more as needed.
    func find(_ terminator: [UInt8], from offset: Int, what: String) throws -> Int {
        var scanned = offset
        while true {
            let found = input.bytes.withUnsafeBufferPointer { buffer -> Int? in
                var index = input.start + scanned
                let last = input.end - terminator.count
                while index <= last {
                    if buffer[index] == terminator[0] {
                        var matched = 1
                        while matched < terminator.count && buffer[index + matched] == terminator[matched] { matched += 1 }
                        if matched == terminator.count { return index - input.start }
                    }
                    index += 1
                }
                return nil
            }
            if let found {
                guard found <= StatementLimits.xmlTokenBytesMax else {
                    throw error(.limit, "\(what) longer than \(StatementLimits.xmlTokenBytesMax) bytes")
                }
                return found
            }
            scanned = max(offset, input.available - terminator.count + 1)
            guard input.available <= StatementLimits.xmlTokenBytesMax else {
                throw error(.limit, "\(what) longer than \(StatementLimits.xmlTokenBytesMax) bytes")
            }
            guard try input.fill() else { throw error(.syntax, "the document ends inside \(what)") }
        }
    }

    /// Advances the read position by `count` bytes, counting line breaks.
    mutating func consume(_ count: Int) {
        input.bytes.withUnsafeBufferPointer { buffer in
            for index in input.start..<(input.start + count) where buffer[index] == 0x0A { line += 1 }
        }
        input.start += count
    }

    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        input.bytes[(input.start + range.lowerBound)..<(input.start + range.upperBound)]
    }

    // MARK: Character data

    /// Reads character data up to the next `<`. Returns false when it was white space outside the root.
    private mutating func readText() throws -> Bool {
        var length = 0
        while true {
            let found = input.bytes.withUnsafeBufferPointer { buffer -> Int? in
                var index = input.start + length
                while index < input.end {
                    if buffer[index] == UInt8(ascii: "<") { return index - input.start }
                    index += 1
                }
                return nil
            }
            if let found { length = found }
            if found == nil { length = input.available }
            guard length <= StatementLimits.xmlTokenBytesMax else {
                throw error(.limit, "character data longer than \(StatementLimits.xmlTokenBytesMax) bytes")
            }
            if found != nil { break }
            guard try input.fill() else { break }
        }
        guard !frames.isEmpty else {
            guard bytes(0..<length).allSatisfy(TextBytes.isSpace) else {
                throw error(.syntax, "text \(TextBytes.quoted(bytes(0..<length))) outside the root element")
            }
            consume(length)
            return false
        }
        try decodeText(0..<length)
        consume(length)
        return true
    }

    private mutating func decodeText(_ range: Range<Int>) throws {
        text.removeAll(keepingCapacity: true)
        let problem = input.bytes.withUnsafeBufferPointer { buffer in
            XMLEntityDecoding.decode(UnsafeBufferPointer(rebasing: buffer[(input.start + range.lowerBound)..<(input.start + range.upperBound)]),
                                     into: &text)
        }
        if let problem { throw error(.syntax, problem) }
        if !text.allSatisfy({ $0 < 0x80 }), String(validating: text, as: UTF8.self) == nil {
            throw error(.encoding, "character data is not valid UTF-8")
        }
    }

    // MARK: Markup other than tags

    private mutating func skipProcessingInstruction() throws {
        let end = try find([UInt8(ascii: "?"), UInt8(ascii: ">")], from: 2, what: "a processing instruction")
        let content = bytes(2..<end)
        let target = content.prefix { !TextBytes.isSpace($0) }
        if String(decoding: target, as: UTF8.self).lowercased() == "xml" {
            guard input.consumedBefore + input.start == documentStartOffset else {
                throw error(.syntax, "the XML declaration must be at the very start of the document")
            }
            try checkDeclaredEncoding(content)
        }
        consume(end + 2)
    }

    private func checkDeclaredEncoding(_ declaration: ArraySlice<UInt8>) throws {
        let text = String(decoding: declaration, as: UTF8.self)
        guard let range = text.range(of: "encoding") else { return }
        let rest = text[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
        let name = rest.prefix { $0 != "\"" && $0 != "'" && $0 != " " }.lowercased()
        guard name == "utf-8" || name == "utf8" else {
            throw error(.encoding, "the document declares encoding '\(name)'; only UTF-8 is accepted")
        }
    }

    /// Comments are skipped; CDATA is character data (returns true); DOCTYPE is refused.
    private mutating func readDeclaration() throws -> Bool {
        let comment = Array("<!--".utf8)
        let cdata = Array("<![CDATA[".utf8)
        _ = try input.ensure(cdata.count)
        let head = bytes(0..<min(cdata.count, input.available))
        if head.starts(with: comment) {
            let end = try find(Array("-->".utf8), from: 4, what: "a comment")
            consume(end + 3)
            return false
        }
        if head.starts(with: cdata) {
            guard !frames.isEmpty else { throw error(.syntax, "CDATA outside the root element") }
            let end = try find(Array("]]>".utf8), from: cdata.count, what: "a CDATA section")
            text.removeAll(keepingCapacity: true)
            text.append(contentsOf: bytes(cdata.count..<end))
            if String(validating: text, as: UTF8.self) == nil { throw error(.encoding, "CDATA is not valid UTF-8") }
            consume(end + 3)
            return true
        }
        if head.starts(with: Array("<!DOCTYPE".utf8)) {
            throw error(.syntax, "a DOCTYPE is not accepted (no DTD, no entity declarations)")
        }
        throw error(.syntax, "unknown markup \(TextBytes.quoted(head))")
    }
}
