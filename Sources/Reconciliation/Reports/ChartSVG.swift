import Core

/// Small writers of SVG elements for the report charts: integer coordinates, escaped texts, no script, no link.
enum ChartSVG {
    static func open(width: Int, height: Int, titleId: String, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "role=\"img\" aria-labelledby=\"\(titleId)\" font-family=\"Times New Roman, Times, serif\" font-size=\"10\">\n"
            + "<title id=\"\(titleId)\">\(HTMLText.escaped(title))</title>\n"
    }

    static let close = "</svg>\n"

    /// A rectangle with a tooltip (`<title>` child).
    static func rect(_ cssClass: String, x: Int, y: Int, width: Int, height: Int, fill: String, tooltip: String? = nil) -> String {
        precondition(width >= 0 && height >= 0, "negative rectangle")
        let head = "<rect class=\"\(cssClass)\" x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"\(fill)\""
        guard let tooltip else { return head + "/>\n" }
        return head + "><title>\(HTMLText.escaped(tooltip))</title></rect>\n"
    }

    static func line(_ cssClass: String, x1: Int, y1: Int, x2: Int, y2: Int, stroke: String, dashed: Bool = false) -> String {
        "<line class=\"\(cssClass)\" x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" stroke=\"\(stroke)\""
            + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n"
    }

    enum Anchor: String {
        case start, middle, end
    }

    static func text(_ cssClass: String, x: Int, y: Int, anchor: Anchor, _ content: String) -> String {
        "<text class=\"\(cssClass)\" x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor.rawValue)\">\(HTMLText.escaped(content))</text>\n"
    }

    /// `text` cut to `characters` with an ellipsis, so a long name cannot run over the chart.
    static func shortened(_ text: String, characters: Int) -> String {
        text.count <= characters ? text : String(text.prefix(characters - 1)) + "…"
    }
}
