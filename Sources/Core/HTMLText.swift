/// What every printable page (fee notices, receipts, reports) shares: escaping and the page shell.
///
/// Every text that reaches a page goes through `escaped(_:)`: names, memos and notes come from user input.
public enum HTMLText {
    /// `text` safe as HTML (or SVG) element content or as a double- or single-quoted attribute value.
    ///
    /// `& < > " '` become character references; C0 control characters other than tab and line feed, and DEL,
    /// are dropped (they are parse errors in HTML and never meant to be printed).
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                guard scalar.value >= 0x20 && scalar.value != 0x7F else { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// A complete, self-contained Vietnamese page: no script, no external resource, the stylesheet inline.
    /// `body` is trusted markup built by the page writers, placed in `<main class="mainClass">`; `title` is escaped here.
    public static func page(title: String, stylesheet: String, mainClass: String, body: String) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(escaped(title))</title>\n<style>\n\(stylesheet)</style>\n</head>\n<body>\n"
        html += "<main class=\"\(escaped(mainClass))\">\n\(body)</main>\n</body>\n</html>\n"
        return html
    }
}
