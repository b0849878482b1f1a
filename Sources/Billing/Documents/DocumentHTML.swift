import Core

/// What the fee notice and the receipt share: escaping, the page shell and the stylesheet.
///
/// Every text that reaches a page goes through `escaped(_:)`: names, memos and notes come from user input.
public enum DocumentHTML {
    /// `text` safe as HTML element content or as a double- or single-quoted attribute value.
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

    /// A complete, self-contained page: no script, no external resource, the stylesheet inline.
    /// `body` is trusted markup built by the page writers; `title` is escaped here.
    static func page(title: String, body: String) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(escaped(title))</title>\n<style>\n\(stylesheet)</style>\n</head>\n<body>\n"
        html += "<main class=\"sheet\">\n\(body)</main>\n</body>\n</html>\n"
        return html
    }

    /// One stylesheet for both documents: A4 portrait, serif type as on official paper, black on white in print.
    static let stylesheet = """
        @page { size: A4 portrait; margin: 15mm 15mm 15mm 20mm; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #eee; color: #000; font-family: "Times New Roman", Times, serif; font-size: 13pt; line-height: 1.35; }
        .sheet { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 15mm 15mm 15mm 20mm; background: #fff; }
        .header { display: flex; justify-content: space-between; gap: 8mm; }
        .header p { margin: 0; }
        .school-name { font-weight: bold; text-transform: uppercase; }
        .document-number { text-align: right; }
        h1 { font-size: 16pt; text-align: center; margin: 6mm 0 1mm; }
        .subtitle { text-align: center; font-style: italic; margin: 0 0 5mm; }
        .facts { margin: 0 0 4mm; }
        .facts p { margin: 1mm 0; }
        .label { font-weight: normal; }
        .value { font-weight: bold; }
        table { width: 100%; border-collapse: collapse; margin: 3mm 0; }
        th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; }
        th { background: #f0f0f0; text-align: center; }
        td.number, th.number { text-align: right; white-space: nowrap; }
        td.center { text-align: center; }
        tr.total td { font-weight: bold; }
        .words { font-style: italic; margin: 1mm 0 4mm; }
        .payment { display: flex; gap: 6mm; align-items: flex-start; border: 1px solid #000; padding: 4mm; margin: 4mm 0; }
        .qr { flex: 0 0 45mm; width: 45mm; }
        .qr svg { width: 45mm; height: 45mm; display: block; }
        .transfer p { margin: 1mm 0; }
        .memo { font-family: "Courier New", Courier, monospace; font-weight: bold; font-size: 14pt; letter-spacing: 0.5pt; }
        .signatures { display: flex; justify-content: space-around; margin-top: 8mm; text-align: center; }
        .signatures p { margin: 0; }
        .signature-space { height: 22mm; }
        .note { font-size: 11pt; font-style: italic; }
        @media print {
          body { background: #fff; font-size: 12pt; }
          .sheet { width: auto; min-height: 0; margin: 0; padding: 0; }
          th { background: #fff; }
          tr, .payment, .signatures { page-break-inside: avoid; break-inside: avoid; }
        }

        """
}
