extension XMLTokenizer {
    /// The offset of the `>` closing a start tag, skipping `>` inside quoted attribute values.
    private func findTagEnd() throws -> Int {
        var offset = 1
        var quote: UInt8 = 0
        while true {
            let scan = input.bytes.withUnsafeBufferPointer { buffer -> (found: Int?, offset: Int, lessThan: Bool) in
                var position = input.start + offset
                while position < input.end {
                    let byte = buffer[position]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        quote = byte
                    } else if byte == UInt8(ascii: ">") {
                        return (position - input.start, position - input.start, false)
                    } else if byte == UInt8(ascii: "<") {
                        return (nil, position - input.start, true)
                    }
                    position += 1
                }
                return (nil, position - input.start, false)
            }
            guard !scan.lessThan else { throw error(.syntax, "'<' inside a start tag") }
            offset = scan.offset
            guard offset <= StatementLimits.xmlTokenBytesMax else {
                throw error(.limit, "a start tag longer than \(StatementLimits.xmlTokenBytesMax) bytes")
            }
            if let found = scan.found { return found }
            guard try input.fill() else { throw error(.syntax, "the document ends inside a start tag") }
        }
    }

    mutating func readStartTag() throws -> Event {
        let end = try findTagEnd()
        var tag = bytes(1..<end)
        let selfClosing = tag.last == UInt8(ascii: "/")
        if selfClosing { tag = tag.dropLast() }
        let nameEnd = tag.firstIndex(where: TextBytes.isSpace) ?? tag.endIndex
        let qualifiedName = tag[tag.startIndex..<nameEnd]
        let local = try elementName(qualifiedName)
        try readAttributes(tag[nameEnd...])
        try push(qualifiedName: Array(qualifiedName), localName: local)
        consume(end + 1)
        localName = local
        endPending = selfClosing
        return .startElement
    }

    mutating func readEndTag() throws -> Event {
        let end = try find([UInt8(ascii: ">")], from: 2, what: "an end tag")
        let name = TextBytes.trimmed(bytes(2..<end))
        guard let open = openQualifiedName else {
            throw error(.syntax, "end tag </\(String(decoding: name, as: UTF8.self))> with no open element")
        }
        guard name.elementsEqual(open) else {
            throw error(.syntax, "end tag </\(String(decoding: name, as: UTF8.self))> does not match <\(String(decoding: open, as: UTF8.self))>")
        }
        consume(end + 1)
        localName = openLocalName!
        popPending = true
        return .endElement
    }

    /// The local part of a qualified name (`ns2:Amt` → `Amt`), checked.
    private func elementName(_ name: ArraySlice<UInt8>) throws -> String {
        func invalid() -> StatementParseError { error(.syntax, "\(TextBytes.quoted(name)) is not an element name") }
        guard let first = name.first, !TextBytes.isDigit(first), first != UInt8(ascii: "-"), first != UInt8(ascii: "."),
              !name.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "&") }),
              TextBytes.utf8(name) != nil
        else { throw invalid() }
        guard let colon = name.lastIndex(of: UInt8(ascii: ":")) else { return String(decoding: name, as: UTF8.self) }
        guard colon + 1 < name.endIndex else { throw invalid() }
        return String(decoding: name[(colon + 1)...], as: UTF8.self)
    }

    private mutating func readAttributes(_ raw: ArraySlice<UInt8>) throws {
        attributes.removeAll(keepingCapacity: true)
        var seen: [ArraySlice<UInt8>] = []
        var cursor = raw.startIndex
        while true {
            let before = cursor
            while cursor < raw.endIndex && TextBytes.isSpace(raw[cursor]) { cursor += 1 }
            guard cursor < raw.endIndex else { return }
            guard cursor > before else { throw error(.syntax, "attributes must be separated by white space") }
            let nameStart = cursor
            while cursor < raw.endIndex && raw[cursor] != UInt8(ascii: "=") && !TextBytes.isSpace(raw[cursor]) { cursor += 1 }
            let name = raw[nameStart..<cursor]
            while cursor < raw.endIndex && TextBytes.isSpace(raw[cursor]) { cursor += 1 }
            guard !name.isEmpty, cursor < raw.endIndex, raw[cursor] == UInt8(ascii: "=") else {
                throw error(.syntax, "attribute \(TextBytes.quoted(name)) has no '=' and value")
            }
            cursor += 1
            while cursor < raw.endIndex && TextBytes.isSpace(raw[cursor]) { cursor += 1 }
            guard cursor < raw.endIndex, raw[cursor] == UInt8(ascii: "\"") || raw[cursor] == UInt8(ascii: "'") else {
                throw error(.syntax, "attribute \(TextBytes.quoted(name)) has an unquoted value")
            }
            let quote = raw[cursor]
            let valueStart = cursor + 1
            guard let valueEnd = raw[valueStart...].firstIndex(of: quote) else {
                throw error(.syntax, "attribute \(TextBytes.quoted(name)) has an unterminated value")
            }
            cursor = valueEnd + 1
            guard !seen.contains(where: { $0.elementsEqual(name) }) else {
                throw error(.syntax, "attribute \(TextBytes.quoted(name)) appears twice")
            }
            seen.append(name)
            guard seen.count <= StatementLimits.xmlAttributesMax else {
                throw error(.limit, "more than \(StatementLimits.xmlAttributesMax) attributes on one element")
            }
            try addAttribute(name: name, value: raw[valueStart..<valueEnd])
        }
    }

    private mutating func addAttribute(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) throws {
        guard !value.contains(UInt8(ascii: "<")) else { throw error(.syntax, "'<' in the value of attribute \(TextBytes.quoted(name))") }
        let nameText = String(decoding: name, as: UTF8.self)
        // Namespace declarations: names are matched by their local part, so namespaces do not matter.
        if nameText == "xmlns" || nameText.hasPrefix("xmlns:") { return }
        var decoded: [UInt8] = []
        let problem = value.withUnsafeBufferPointer { XMLEntityDecoding.decode($0, into: &decoded) }
        if let problem { throw error(.syntax, "attribute \(TextBytes.quoted(name)): \(problem)") }
        guard let valueText = String(validating: decoded, as: UTF8.self) else {
            throw error(.encoding, "attribute \(TextBytes.quoted(name)) is not valid UTF-8")
        }
        let local = nameText.lastIndex(of: ":").map { String(nameText[nameText.index(after: $0)...]) } ?? nameText
        attributes.append(XMLAttribute(localName: local, value: valueText))
    }
}
