/// The parts of an MT940 `:86:` field (information to the account owner).
///
/// Two shapes exist. Free text: the memo is the field's lines joined. Structured (the German
/// `?nn` convention, recognised when a `?` followed by two digits appears within the first four
/// characters): line breaks are only wrapping and are removed, the text is cut at each `?nn`;
/// `?20`–`?29` and `?60`–`?63` make the memo, `?32`/`?33` the other party's name, `?31` its account.
///
/// Joining rule, for wrapped lines and for subfields alike: a piece that fills its width
/// (65 characters for a line, 27 for a subfield) was cut by the width and continues directly;
/// a shorter piece ended at a word and is followed by a space.
struct MT940InformationField: Equatable {
    var memo: String
    var subfields: [InformationSubfield]
    var counterpartyName: String?
    var counterpartyAccount: String?

    static let lineWidth = 65
    static let subfieldWidth = 27
    static let memoCodes: Set<String> = ["20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"]

    static func parse(_ content: ArraySlice<UInt8>) throws(MT940FieldError) -> MT940InformationField {
        let field: MT940InformationField
        if isStructured(content) {
            guard let text = TextBytes.utf8(content) else { throw .init("is not UTF-8 text") }
            field = try parseStructured(text)
        } else {
            guard let memo = joinLines(content) else { throw .init("is not UTF-8 text") }
            field = MT940InformationField(memo: memo, subfields: [])
        }
        guard field.memo.utf8.count <= StatementLimits.memoBytesMax else {
            throw .init("memo is longer than \(StatementLimits.memoBytesMax) bytes")
        }
        return field
    }

    init(memo: String, subfields: [InformationSubfield], counterpartyName: String? = nil, counterpartyAccount: String? = nil) {
        self.memo = memo
        self.subfields = subfields
        self.counterpartyName = counterpartyName
        self.counterpartyAccount = counterpartyAccount
    }

    static func isStructured(_ content: ArraySlice<UInt8>) -> Bool {
        var index = content.startIndex
        while index < content.endIndex && index - content.startIndex < 4 {
            if content[index] == UInt8(ascii: "?") {
                return index + 2 < content.endIndex && TextBytes.isDigit(content[index + 1]) && TextBytes.isDigit(content[index + 2])
            }
            index += 1
        }
        return false
    }

    private static func parseStructured(_ text: String) throws(MT940FieldError) -> MT940InformationField {
        let scalars = Array(text.unicodeScalars.filter { $0 != "\n" && $0 != "\r" })
        var subfields: [InformationSubfield] = []
        var code: String?
        var value = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "?", index + 2 < scalars.count, isDigit(scalars[index + 1]), isDigit(scalars[index + 2]) {
                if let code { subfields.append(InformationSubfield(code: code, value: String(value))) }
                guard subfields.count < StatementLimits.subfieldsPerFieldMax else {
                    throw .init("has more than \(StatementLimits.subfieldsPerFieldMax) ?nn subfields")
                }
                code = String(scalars[index + 1]) + String(scalars[index + 2])
                value = String.UnicodeScalarView()
                index += 3
                continue
            }
            // Text before the first `?nn` is the business transaction code; it is kept as subfield "".
            if code == nil { code = "" }
            value.append(scalars[index])
            index += 1
        }
        if let code { subfields.append(InformationSubfield(code: code, value: String(value))) }
        return fields(from: subfields)
    }

    private static func fields(from subfields: [InformationSubfield]) -> MT940InformationField {
        let memoPieces = subfields.filter { memoCodes.contains($0.code) }.map(\.value)
        var memo = joinPieces(memoPieces, width: subfieldWidth)
        if memo.isEmpty { memo = subfields.first { $0.code == "00" }?.value ?? "" }
        let namePieces = subfields.filter { $0.code == "32" || $0.code == "33" }.map(\.value)
        let name = joinPieces(namePieces, width: subfieldWidth)
        let account = subfields.first { $0.code == "31" }?.value.trimmingSpaces
        return MT940InformationField(memo: memo, subfields: subfields,
                                     counterpartyName: name.isEmpty ? nil : name,
                                     counterpartyAccount: account?.isEmpty == false ? account : nil)
    }

    /// The field's lines joined by the width rule, working on bytes (the common, unstructured case).
    static func joinLines(_ content: ArraySlice<UInt8>) -> String? {
        var joined: [UInt8] = []
        joined.reserveCapacity(content.count)
        content.withUnsafeBufferPointer { bytes in
            var glue = false
            var lineStart = 0
            while lineStart <= bytes.count {
                var lineEnd = lineStart
                var width = 0
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A {
                    // Characters, not bytes: UTF-8 continuation bytes do not count.
                    if bytes[lineEnd] & 0xC0 != 0x80 { width += 1 }
                    lineEnd += 1
                }
                var end = lineEnd
                while end > lineStart && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D) { end -= 1 }
                var start = lineStart
                if joined.isEmpty { while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 } }
                if start < end {
                    if glue && !joined.isEmpty { joined.append(0x20) }
                    joined.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    glue = !(width >= lineWidth && end == lineEnd)
                }
                lineStart = lineEnd + 1
            }
        }
        return TextBytes.utf8(joined[...])
    }

    /// Joins wrapped pieces: a piece as wide as `width` continues directly, a shorter one is followed by a space.
    static func joinPieces<S: StringProtocol>(_ pieces: [S], width: Int) -> String {
        var joined = ""
        var glue = ""
        for piece in pieces {
            let text = trimmedTrailing(piece)
            if text.isEmpty { continue }
            if !joined.isEmpty { joined += glue }
            joined += joined.isEmpty ? trimmedLeading(text) : text
            glue = piece.count >= width && text.count == piece.count ? "" : " "
        }
        return joined
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    private static func trimmedTrailing<S: StringProtocol>(_ text: S) -> Substring {
        let sub = Substring(text)
        var end = sub.endIndex
        while end > sub.startIndex, let last = sub[sub.index(before: end)].unicodeScalars.first, last == " " || last == "\t" || last == "\r" {
            end = sub.index(before: end)
        }
        return sub[..<end]
    }

    private static func trimmedLeading(_ text: Substring) -> Substring {
        text.drop { $0 == " " || $0 == "\t" }
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
