import Core
import Foundation
import Ledger
import Postgres

enum LedgerCommand {
    static let usage = """
        Usage: tuition ledger verify [--school CODE]

        Recomputes every balance from the postings and checks every ledger invariant
        (balanced entries, maintained balances, posting dates, closed periods, reversals).
        Prints a report; exits 1 when anything does not match.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard reader.positional() == "verify" else { throw UsageError(message: "missing or unknown action", usage: usage) }
        let schoolCode = try reader.option("--school")
        try reader.finish()
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let connection = try database.connect()
        defer { connection.close() }
        var schoolID: Int64?
        if let schoolCode {
            guard let school = try Schools.find(code: schoolCode, on: connection) else {
                throw CommandFailure(message: "no school with code \(schoolCode)")
            }
            schoolID = school.id
        }
        let report = try LedgerVerifier.verify(schoolID: schoolID, on: connection)
        print("ledger verify: \(report.schoolsChecked) schools, \(report.entriesChecked) entries, \(report.postingsChecked) postings")
        for finding in report.findings { print("  MISMATCH \(finding)") }
        guard report.isClean else {
            throw CommandFailure(message: "\(report.findings.count) mismatches found")
        }
        print("ledger verify: every invariant holds")
    }
}
