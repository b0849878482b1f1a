import Core

/// What the fee notice and the receipt share: the page shell and the stylesheet (escaping is `HTMLText.escaped`).
public enum DocumentHTML {
    /// The page shell of `HTMLText` with the documents' stylesheet.
    static func page(title: String, body: String) -> String {
        HTMLText.page(title: title, stylesheet: stylesheet, mainClass: "sheet", body: body)
    }

    /// One stylesheet for both documents: A4 portrait, serif type as on official paper, black on white in print.
    public static let stylesheet = """
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
