import BankFormats
import Core
import Foundation

enum ParseCommand {
    static let usage = """
        Usage: tuition parse FILE [--format auto|mt940|camt053|ID] [--summary]

        Prints what a statement parser read from FILE, as JSON, with no database: per statement the
        account, statement id, currency, opening and closing balances, and every line (booking and
        value date, signed amount as an exact decimal, references, memo). ID names a bank CSV
        description in bank-formats/statements/ (vietcombank, bidv, vietinbank, techcombank, mb).
        --summary prints one line of counts and totals instead.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let file = try reader.requiredPositional("FILE")
        let formatText = try reader.option("--format") ?? "auto"
        let summary = reader.flag("--summary")
        try reader.finish()
        guard let format = StatementFormat(argument: formatText) else {
            throw UsageError(message: "unknown format '\(formatText)'", usage: usage)
        }
        let catalog = try CSVFormatCatalog(directory: try ProjectLayout.locate().bankFormats + "/statements")
        let resolved = try StatementParsing.resolveFormat(fileAt: file, format: format, descriptions: catalog)
        if summary {
            var consumer = StatementSummary(format: resolved.name)
            try StatementParsing.parse(fileAt: file, format: resolved, descriptions: catalog, consumer: &consumer)
            print(consumer.jsonLine)
        } else {
            let output = FileHandle.standardOutput
            var writer = StatementJSONWriter(format: resolved.name) { text in output.write(Data(text.utf8)) }
            try StatementParsing.parse(fileAt: file, format: resolved, descriptions: catalog, consumer: &writer)
            try writer.finish()
        }
    }
}
