import BankFormats
import Core
import Foundation

enum ParseCommand {
    static let usage = """
        Usage: tuition parse FILE [--format auto|mt940|mt942|camt053|camt054|ID] [--summary] [--strict]

        Prints what a statement parser read from FILE, as JSON, with no database: per statement the
        account, statement id, currency, opening and closing balances, and every line (booking and
        value date, signed amount as an exact decimal, references, memo). ID names a bank CSV
        description in bank-formats/statements/ (vietcombank, bidv, vietinbank, techcombank, mb).
        --summary prints one line of counts and totals instead. What the file does outside its
        format's rules while its money stays readable (a bank header line, a missing or long
        reference, a 30 February value date, ...) is read and listed under "warnings", each with
        its line; --strict refuses the file at the first one instead.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let file = try reader.requiredPositional("FILE")
        let formatText = try reader.option("--format") ?? "auto"
        let summary = reader.flag("--summary")
        let strict = reader.flag("--strict")
        try reader.finish()
        guard let format = StatementFormat(argument: formatText) else {
            throw UsageError(message: "unknown format '\(formatText)'", usage: usage)
        }
        let catalog = try CSVFormatCatalog(directory: try ProjectLayout.locate().bankFormats + "/statements")
        let resolved = try StatementParsing.resolveFormat(fileAt: file, format: format, descriptions: catalog)
        if summary {
            var consumer = StatementSummary(format: resolved.name)
            try StatementParsing.parse(fileAt: file, format: resolved, descriptions: catalog, strict: strict, consumer: &consumer)
            print(consumer.jsonLine)
        } else {
            let output = FileHandle.standardOutput
            var writer = StatementJSONWriter(format: resolved.name) { text in output.write(Data(text.utf8)) }
            try StatementParsing.parse(fileAt: file, format: resolved, descriptions: catalog, strict: strict, consumer: &writer)
            try writer.finish()
        }
    }
}
