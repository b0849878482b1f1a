import Core

/// The page shell, tables and the stylesheet of the printable reports (escaping is `HTMLText.escaped`).
public enum ReportHTML {
    /// The page shell of `HTMLText` with the reports' stylesheet.
    static func page(title: String, body: String) -> String {
        HTMLText.page(title: title, stylesheet: stylesheet, mainClass: "report", body: body)
    }

    /// `<h2>` and an optional explanatory paragraph.
    static func heading(_ title: String, note: String? = nil) -> String {
        var html = "<h2>\(HTMLText.escaped(title))</h2>\n"
        if let note { html += "<p class=\"note\">\(HTMLText.escaped(note))</p>\n" }
        return html
    }

    /// Label–value pairs as a two-column table.
    static func facts(_ pairs: [(String, String)]) -> String {
        var table = ReportHTMLTable(headers: [], numericColumns: [])
        for (label, value) in pairs { table.rows.append([label, value]) }
        table.cssClass = "facts"
        return table.html()
    }

    static let stylesheet = """
        @page { size: A4 portrait; margin: 12mm; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #eee; color: #111; font-family: "Times New Roman", Times, serif; font-size: 11pt; line-height: 1.35; }
        .report { max-width: 210mm; margin: 6mm auto; padding: 10mm 12mm; background: #fff; }
        h1 { font-size: 16pt; text-align: center; margin: 0 0 2mm; text-transform: uppercase; }
        h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #444; padding-bottom: 1mm; }
        h3 { font-size: 11.5pt; margin: 4mm 0 1mm; }
        .subtitle { text-align: center; margin: 0 0 4mm; }
        .note { font-size: 9.5pt; font-style: italic; color: #333; margin: 1mm 0; }
        .banner { border: 2px solid; padding: 3mm 4mm; margin: 4mm 0; font-weight: bold; font-size: 12pt; }
        .banner p { margin: 0; }
        .banner .detail { font-weight: normal; font-size: 10pt; margin-top: 1mm; }
        .banner.agrees, .banner.closed, .banner.open { border-color: #1b6e2a; background: #eef8ef; }
        .banner.differences, .banner.notRun { border-color: #a32020; background: #fbeeee; }
        table { width: 100%; border-collapse: collapse; margin: 2mm 0 3mm; font-size: 10pt; }
        caption { text-align: left; font-weight: bold; padding: 1mm 0; }
        th, td { border: 1px solid #999; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
        th { background: #f0f0f0; }
        td.number, th.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        table.facts { width: auto; min-width: 60%; }
        table.facts td:first-child { font-weight: bold; }
        tfoot td, tr.subtotal td { font-weight: bold; background: #f7f7f7; }
        td.empty { text-align: center; font-style: italic; color: #555; }
        .chart { margin: 3mm 0; }
        .chart svg { width: 100%; height: auto; display: block; }
        section.district { margin-top: 6mm; }
        @media print {
          body { background: #fff; font-size: 10pt; }
          .report { max-width: none; margin: 0; padding: 0; }
          .banner { background: #fff; }
          th, tfoot td, tr.subtotal td { background: #fff; }
          tr, .chart, .banner { page-break-inside: avoid; break-inside: avoid; }
          h2, h3 { page-break-after: avoid; break-after: avoid; }
        }

        """
}

/// A table of texts (escaped when written); numeric columns are right-aligned.
struct ReportHTMLTable {
    var caption: String?
    var headers: [String]
    var numericColumns: Set<Int>
    var rows: [[String]] = []
    var footer: [[String]] = []
    /// Shown in one cell across the table when there are no rows.
    var emptyText = "Không có."
    var cssClass: String?

    init(caption: String? = nil, headers: [String], numericColumns: Set<Int>) {
        self.caption = caption
        self.headers = headers
        self.numericColumns = numericColumns
    }

    func html() -> String {
        var html = "<table\(cssClass.map { " class=\"\($0)\"" } ?? "")>\n"
        if let caption { html += "<caption>\(HTMLText.escaped(caption))</caption>\n" }
        if !headers.isEmpty { html += "<thead>\n" + row(headers, cell: "th") + "</thead>\n" }
        html += "<tbody>\n"
        for cells in rows { html += row(cells, cell: "td") }
        if rows.isEmpty {
            let span = max(headers.count, 1)
            html += "<tr><td class=\"empty\" colspan=\"\(span)\">\(HTMLText.escaped(emptyText))</td></tr>\n"
        }
        html += "</tbody>\n"
        if !footer.isEmpty { html += "<tfoot>\n" + footer.map { row($0, cell: "td") }.joined() + "</tfoot>\n" }
        return html + "</table>\n"
    }

    func row(_ cells: [String], cell: String) -> String {
        var html = "<tr>"
        for (index, text) in cells.enumerated() {
            let alignment = numericColumns.contains(index) ? " class=\"number\"" : ""
            html += "<\(cell)\(alignment)>\(HTMLText.escaped(text))</\(cell)>"
        }
        return html + "</tr>\n"
    }
}
