import Core

extension StatementImportResult {
    /// Conflicting lines and ambiguities shown in the summary (the JSON lists up to `reportedItemsMax`).
    static let summaryItemsMax = 20

    /// The result for people: counts, then each statement's checks, then what needs a look.
    public var summary: String {
        let c = counts
        var lines = [
            "\(fileName) (\(format), account \(bankAccount), sha256 \(fileSHA256.prefix(16))…): "
                + "\(statements.count) statement(s), \(Self.number(c.linesTotal)) line(s)",
            "  \(Self.number(c.linesNew)) new, \(Self.number(c.linesKnown)) already imported, "
                + "\(Self.number(c.callbacksConfirmed)) callbacks confirmed, \(Self.number(c.linesConflicting)) conflicting"
                + (c.linesSkipped > 0 ? ", \(Self.number(c.linesSkipped)) skipped (not booked by the bank, or zero)" : ""),
            "  money in: \(Self.number(c.appliedAutomatically)) applied automatically, \(Self.number(c.leftInSuspense)) left in suspense; "
                + "money out: \(Self.number(c.debitsToSuspense)) to suspense, \(Self.number(c.bankFees)) bank fee(s)",
        ]
        if c.linesRepeatedInFile > 0 {
            lines.append("  \(Self.number(c.linesRepeatedInFile)) of the already imported lines repeat an earlier line of this file")
        }
        // Every statement with a gap; the others up to a bound.
        let shown = statements.enumerated().filter { $0.offset < Self.summaryItemsMax || $0.element.continuity.status == .gap }
        lines += shown.map { Self.describe($0.element) }
        if shown.count < statements.count { lines.append("  … and \(statements.count - shown.count) more statement(s), all continuous or first") }
        if c.warnings > 0 {
            lines.append("  \(Self.number(c.warnings)) warning(s): the file breaks its format's rules where its money stays readable")
        }
        for warning in warnings.prefix(Self.summaryItemsMax) {
            lines.append("  warning: \(warning)")
        }
        if c.warnings > Self.summaryItemsMax { lines.append("  … and \(Self.number(c.warnings - Self.summaryItemsMax)) more warning(s)") }
        for conflict in conflicts.prefix(Self.summaryItemsMax) {
            lines.append("  conflicting: line \(conflict.line)\(conflict.xmlPath.map { " (\($0))" } ?? ""): key \(conflict.dedupKey): "
                         + "\(conflict.bookedOn) \(Self.money(conflict.amount)) in the file, "
                         + "\(conflict.existingBookedOn) \(Self.money(conflict.existingAmount)) "
                         + (conflict.existingLineID.map { "imported as statement line \($0)" } ?? "earlier in the file"))
        }
        for ambiguous in ambiguousConfirmations.prefix(Self.summaryItemsMax) {
            lines.append("  ambiguous: line \(ambiguous.line) confirmed bank transaction \(ambiguous.confirmedBankTransactionID); "
                         + "equally good: \(ambiguous.otherCandidateIDs.map(String.init).joined(separator: ", "))")
        }
        lines.append(dryRun ? "dry run: nothing was imported" : "imported as import \(importID!)")
        return lines.joined(separator: "\n")
    }

    static func describe(_ statement: StatementReport) -> String {
        var text = "  statement \(statement.index + 1)" + (statement.reference.map { " (\($0))" } ?? "")
        if let opening = statement.openingBalance, let closing = statement.closingBalance {
            text += ": \(money(opening)) → \(money(closing))"
        }
        text += ", \(number(statement.lineCount)) line(s), \(statement.balanceCheck); "
        let finding = statement.continuity
        switch finding.status {
        case .continuous: text += "continues the statement closing \(finding.previousClosingDate!)"
        case .first: text += "the first statement of this account"
        case .notCheckable: text += "continuity not checkable"
        case .gap:
            text += "GAP: opens \(money(finding.difference!)) away from the previous closing balance "
                + "\(money(finding.previousClosingBalance!)) of \(finding.previousClosingDate!)"
        }
        return text
    }

    static func number(_ value: Int) -> String { MoneyFormat.groupedDigits(Int64(value), separator: ",") }
    static func money(_ dong: Int64) -> String { MoneyFormat.vietnamese(Money(dong: dong)) }
}
