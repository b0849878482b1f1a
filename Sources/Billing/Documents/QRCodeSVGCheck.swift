/// The QR image is markup embedded as is, so it is checked to be what `QRCodeRendering.svg` writes:
/// one `<svg>` element and nothing a QR image never needs (scripts, links, foreign content, event handlers).
/// Defence in depth: the image is written by our own code, never by a user.
enum QRCodeSVGCheck {
    static let refusedFragments = ["<script", "<foreignobject", "href", "javascript:", "<iframe", "<style", "<!", "<?"]

    static func validate(_ svg: String) throws(DocumentError) {
        guard svg.utf8.count <= DocumentLimits.qrCodeSVGBytesMax else {
            throw .unsafeQRCodeSVG(reason: "larger than \(DocumentLimits.qrCodeSVGBytesMax) bytes")
        }
        guard svg.hasPrefix("<svg "), svg.hasSuffix("</svg>") else {
            throw .unsafeQRCodeSVG(reason: "not a single <svg> element")
        }
        let lowered = svg.lowercased()
        for fragment in refusedFragments where lowered.contains(fragment) {
            throw .unsafeQRCodeSVG(reason: "contains \(fragment)")
        }
        if containsEventHandlerAttribute(lowered) { throw .unsafeQRCodeSVG(reason: "contains an event handler attribute") }
        guard lowered.ranges(of: "<svg").count == 1 else {
            throw .unsafeQRCodeSVG(reason: "nested <svg> elements")
        }
    }

    /// An attribute named `on…` (`onload=`, `onclick =`): whitespace, then `on`, letters, optional spaces, `=`.
    static func containsEventHandlerAttribute(_ lowered: String) -> Bool {
        let bytes = Array(lowered.utf8)
        var index = 0
        while index + 2 < bytes.count {
            defer { index += 1 }
            guard isSpace(bytes[index]), bytes[index + 1] == UInt8(ascii: "o"), bytes[index + 2] == UInt8(ascii: "n")
            else { continue }
            var cursor = index + 3
            while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "a"), bytes[cursor] <= UInt8(ascii: "z") { cursor += 1 }
            while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") { return true }
        }
        return false
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C || byte == UInt8(ascii: "/")
    }
}
