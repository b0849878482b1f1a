/// Which parser reads a file.
public enum StatementFormat: Hashable, Sendable, CustomStringConvertible {
    /// Decide from the file's first bytes (see `StatementFormatDetector`).
    case auto
    case mt940
    /// MT942 interim (intraday) report: provisional money, confirmed later by the day's MT940.
    case mt942
    case camt053
    /// camt.054 debit/credit notification: provisional money, confirmed later by the statement.
    case camt054
    /// A bank CSV export, by the id of its format description.
    case csv(String)
    /// A bank's Excel (`.xlsx`) export, read with the same description as its CSV export.
    case xlsx(String)

    /// From a command-line argument: `auto`, `mt940`, `camt053` (or `camt.053`), `camt054`, `csv:<id>`, `xlsx:<id>`, or a bare
    /// description id (a workbook named so is read as `xlsx:<id>`).
    public init?(argument: String) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "mt940": self = .mt940
        case "mt942": self = .mt942
        case "camt053", "camt.053", "camt": self = .camt053
        case "camt054", "camt.054": self = .camt054
        default:
            if argument.hasPrefix("xlsx:") {
                guard argument.count > 5 else { return nil }
                self = .xlsx(String(argument.dropFirst(5)))
                return
            }
            let id = argument.hasPrefix("csv:") ? String(argument.dropFirst(4)) : argument
            guard !id.isEmpty else { return nil }
            self = .csv(id)
        }
    }

    /// `auto`, `mt940`, `camt053`, `camt054`, `csv:<id>`, `xlsx:<id>`: what `init(argument:)` reads back.
    public var name: String {
        switch self {
        case .auto: return "auto"
        case .mt940: return "mt940"
        case .mt942: return "mt942"
        case .camt053: return "camt053"
        case .camt054: return "camt054"
        case .csv(let id): return "csv:" + id
        case .xlsx(let id): return "xlsx:" + id
        }
    }

    public var description: String { name }
}
