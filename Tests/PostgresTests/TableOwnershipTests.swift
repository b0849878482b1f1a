import Foundation
import Testing

/// Every table has one owning module, and no other module names it in its SQL (docs/architecture.md,
/// "Which module owns which table"): others call the owner's functions or compose the owner's clauses
/// (`LedgerReads`, `BillingReads`). The test reads the sources as text: string literals of
/// `Sources/<Module>/**/*.swift` naming a table after `FROM`, `JOIN`, `INTO`, `UPDATE`, `TABLE`, `USING`,
/// `TRUNCATE` or `COPY`.
@Suite struct TableOwnershipTests {
    /// Module → the tables it owns (creates in its migrations, reads and writes). The architecture page's table.
    static let owners: [String: [String]] = [
        "Ledger": ["schools", "authorities", "accounts", "bank_accounts", "journal_entries", "postings", "account_balances",
                   "dimension_balances", "ledger_failures", "period_events"],
        "Billing": ["students", "families", "student_changes", "student_discounts", "fee_types", "fee_schedules", "fee_enrolments",
                    "fee_catalogues", "fee_catalogue_items", "fee_catalogue_caps", "school_calendar", "student_absences", "invoices",
                    "invoice_lines", "payment_applications", "receipts", "billing_counters", "leaving_credits"],
        "Payments": ["bank_connections", "bank_connection_accounts", "bank_connection_secrets", "callback_deliveries", "bank_transactions",
                     "bank_statements", "statement_imports", "statement_lines", "suspense_dispositions", "reconciliation_runs",
                     "collection_payments", "collection_reconciliations", "collection_refusals", "collection_future_nonces",
                     // an import's temporary tables
                     "statement_staging", "statement_batch"],
        "API": ["api_tokens", "console_users", "console_sessions", "console_uploads"],
        "Postgres": ["schema_migrations"],
    ]

    /// A module naming another's table, `"Module → table"`, with the reason it is allowed. Empty: every read and
    /// write goes through the owner.
    static let allowed: [String: String] = [:]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyTableTheMigrationsCreateHasOneOwner() throws {
        let directory = Self.root.appendingPathComponent("migrations")
        var created = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".sql") {
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            created.formUnion(Self.names(after: ["CREATE TABLE"], in: sql))
        }
        #expect(created.count > 40)
        let owned = Self.owners.values.flatMap { $0 }
        #expect(owned.count == Set(owned).count, "a table listed under two owners")
        #expect(created.subtracting(owned).sorted() == [], "tables without an owner in the table above")
    }

    @Test func noModuleNamesATableItDoesNotOwn() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        var found: [String: [String]] = [:]
        var ownNames = 0
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            for file in Self.swiftFiles(under: sources.appendingPathComponent(module)) {
                let text = try String(contentsOf: file, encoding: .utf8)
                for table in Self.tablesNamed(inLiteralsOf: text) {
                    if Self.owner(of: table) == module {
                        ownNames += 1
                    } else {
                        found["\(module) → \(table)", default: []].append(file.lastPathComponent)
                    }
                }
            }
        }
        // The scan reads what it should: the owners' own SQL is there to be found.
        #expect(ownNames > 100)
        let unexpected = found.filter { Self.allowed[$0.key] == nil }.map { "\($0.key) in \($0.value.sorted().joined(separator: ", "))" }
        #expect(unexpected.sorted() == [], "call the owner (or compose its LedgerReads/BillingReads clause) instead")
        #expect(Set(Self.allowed.keys).subtracting(found.keys).sorted() == [], "allowed exceptions that no longer happen: remove them")
    }

    @Test func theScanFindsTablesInSQLLiteralsOnly() {
        let source = #"""
            // FROM invoices in a comment is not SQL
            let message = "the school's students"
            let query = "SELECT 1 FROM invoices i JOIN  students s ON true"
            try connection.query("""
                INSERT INTO postings (a) SELECT \(x) FROM schools
                UPDATE bank_transactions SET memo = '\(quote("FROM families"))'
                """)
            let raw = #"DELETE FROM receipts"#
            """#
        #expect(Self.tablesNamed(inLiteralsOf: source).sorted() == ["bank_transactions", "families", "invoices", "postings", "receipts", "schools",
                                                                    "students"])
        #expect(Self.tablesNamed(inLiteralsOf: "let view = \"invoices_by_month\" // SELECT * FROM invoices") == [])
    }

    static func owner(of table: String) -> String? {
        owners.first { $0.value.contains(table) }?.key
    }

    static func swiftFiles(under directory: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    /// The known tables named after an SQL keyword in the string literals of Swift `source`.
    static func tablesNamed(inLiteralsOf source: String) -> [String] {
        let known = Set(owners.values.flatMap { $0 })
        return stringLiterals(source).flatMap { names(after: ["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "USING", "TRUNCATE", "COPY"], in: $0) }
            .filter(known.contains)
    }

    /// The identifiers that follow one of `keywords` (and white space) in `text`.
    static func names(after keywords: [String], in text: String) -> [String] {
        let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
        var names: [String] = []
        for keyword in keywords {
            let parts = keyword.split(separator: " ").map(String.init)
            for index in words.indices where index + parts.count < words.count && Array(words[index..<index + parts.count]) == parts {
                names.append(words[index + parts.count].lowercased())
            }
        }
        return names
    }

    /// The text of every string literal (plain, multi-line and raw) of Swift `source`, comments left out. An
    /// interpolation's own literals are read as part of the literal around them.
    static func stringLiterals(_ source: String) -> [String] {
        let text = Array(source.unicodeScalars)
        var literals: [String] = []
        var index = 0
        func starts(_ marker: String, at position: Int) -> Bool {
            let scalars = Array(marker.unicodeScalars)
            return position + scalars.count <= text.count && Array(text[position..<position + scalars.count]) == scalars
        }
        func find(_ marker: String, from position: Int) -> Int {
            var at = position
            while at < text.count && !starts(marker, at: at) { at += 1 }
            return at
        }
        while index < text.count {
            var hashes = 0
            while starts("#", at: index + hashes) { hashes += 1 }
            let quote = index + hashes
            if hashes == 0 && starts("//", at: index) {
                index = find("\n", from: index)
            } else if hashes == 0 && starts("/*", at: index) {
                index = find("*/", from: index) + 2
            } else if starts("\"\"\"", at: quote) {
                let close = "\"\"\"" + String(repeating: "#", count: hashes)
                let end = find(close, from: quote + 3)
                literals.append(String(String.UnicodeScalarView(text[(quote + 3)..<min(end, text.count)])))
                index = end + close.unicodeScalars.count
            } else if starts("\"", at: quote) {
                let end = hashes > 0 ? find("\"" + String(repeating: "#", count: hashes), from: quote + 1) : closingQuote(text, from: quote + 1)
                literals.append(String(String.UnicodeScalarView(text[(quote + 1)..<min(end, text.count)])))
                index = end + 1 + hashes
            } else {
                index += max(hashes, 1)
            }
        }
        return literals
    }

    /// The closing quote of a one-line literal opened before `start`: escapes skipped, interpolations' own
    /// literals stepped over by counting parentheses.
    static func closingQuote(_ text: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        var depth = 0
        var inner = false
        while index < text.count && text[index] != "\n" {
            let scalar = text[index]
            if scalar == "\\" {
                if index + 1 < text.count && text[index + 1] == "(" && !inner { depth += 1; index += 2; continue }
                index += 2
                continue
            }
            if depth > 0 {
                if scalar == "\"" { inner.toggle() } else if !inner && scalar == "(" { depth += 1 } else if !inner && scalar == ")" { depth -= 1 }
            } else if scalar == "\"" {
                return index
            }
            index += 1
        }
        return index
    }
}
