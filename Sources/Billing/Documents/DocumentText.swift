import Core

/// Vietnamese wording shared by the documents.
enum DocumentText {
    /// "Tháng 9/2026".
    static func monthTitle(_ month: CalendarMonth) -> String { "Tháng \(month.month)/\(month.year)" }

    /// "Ngày 05 tháng 09 năm 2026", as a document's place-and-date line writes it.
    static func longDate(_ date: CalendarDate) -> String {
        let parts = date.vietnamese.split(separator: "/")
        return "Ngày \(parts[0]) tháng \(parts[1]) năm \(parts[2])"
    }

    /// `1.500.000 đ`, escaped for HTML (it never needs it, but every printed text goes through the same door).
    static func money(_ amount: Money) -> String { HTMLText.escaped(MoneyFormat.vietnamese(amount)) }

    /// A footer row of a document's six-column table: the label across five columns, the amount in the last;
    /// `emphasised` for a total.
    static func totalRow(_ label: String, _ amount: Money, emphasised: Bool) -> String {
        "<tr\(emphasised ? " class=\"total\"" : "")><td colspan=\"5\">\(HTMLText.escaped(label))</td>"
            + "<td class=\"number\">\(money(amount))</td></tr>\n"
    }

    /// A paragraph "label: value" with the value in bold; both escaped.
    static func fact(_ label: String, _ value: String) -> String {
        "<p><span class=\"label\">\(HTMLText.escaped(label)):</span> <span class=\"value\">\(HTMLText.escaped(value))</span></p>\n"
    }

    /// The school block at the top left of a document.
    static func schoolHeader(_ school: DocumentSchool) -> String {
        var html = "<div class=\"school\">\n<p>\(HTMLText.escaped(school.district))</p>\n"
        html += "<p class=\"school-name\">\(HTMLText.escaped(school.name))</p>\n"
        if let address = school.address, !address.allSatisfy(\.isWhitespace) {
            html += "<p>\(HTMLText.escaped(address))</p>\n"
        }
        return html + "</div>\n"
    }
}
