import Core

/// The JSON text of a decision, written by hand: every paid callback and notice stores its decision,
/// on the school's commit lane, and Foundation's `JSONEncoder` (nested synthesized `Codable`, boxed
/// containers, sorted keys) cost more than the rest of the lane's own CPU for it.
///
/// The text is what `JSONEncoder` with `.sortedKeys` writes for the synthesized `Codable` of these
/// types, so `JSONDecoder` reads it back into the same decision (`MatchDecisionJSONTests` round-trips
/// generated decisions through both): keys in byte order, `nil` optionals left out, enums with
/// associated values as `{"case":{"_0":value}}` and without as `{"case":{}}`.
extension MatchDecision {
    public var jsonText: String {
        var writer = DecisionJSONWriter()
        writer.decision(self)
        return writer.output
    }
}

struct DecisionJSONWriter {
    var output = ""
    private var needsComma = false

    init() {
        output.reserveCapacity(1_024)
    }

    mutating func decision(_ decision: MatchDecision) {
        open()
            key("allocations"); openArray(); for item in decision.allocations { element(); allocation(item) }; closeArray()
            key("amount"); int(decision.amount.dong)
            key("bookingDate"); string(decision.bookingDate.iso)
            key("explanation"); string(decision.explanation)
            key("isAutomatic"); bool(decision.isAutomatic)
            key("proposals"); openArray(); for item in decision.proposals { element(); proposal(item) }; closeArray()
            key("remainder"); int(decision.remainder.dong)
            key("remainderDisposition"); disposition(decision.remainderDisposition)
            key("rule"); string(decision.rule.rawValue)
            key("signals"); signals(decision.signals)
            key("transactionId"); int(decision.transactionId)
        close()
    }

    mutating func allocation(_ allocation: Allocation) {
        open()
            key("amount"); int(allocation.amount.dong)
            key("invoiceId"); int(allocation.invoiceId)
        close()
    }

    mutating func proposal(_ proposal: MatchProposal) {
        open()
            key("allocations"); openArray(); for item in proposal.allocations { element(); allocation(item) }; closeArray()
            key("amountFit"); string(proposal.amountFit.rawValue)
            if let holder = proposal.creditHolder { key("creditHolder"); creditHolder(holder) }
            if let days = proposal.dateGapDays { key("dateGapDays"); int(Int64(days)) }
            key("explanation"); string(proposal.explanation)
            key("remainder"); int(proposal.remainder.dong)
            key("rule"); string(proposal.rule.rawValue)
            key("score"); int(Int64(proposal.score))
            key("studentIds"); openArray(); for item in proposal.studentIds { element(); int(item) }; closeArray()
        close()
    }

    mutating func signals(_ signals: MatchSignals) {
        open()
            if let fit = signals.amountFit { key("amountFit"); string(fit.rawValue) }
            key("codes"); openArray(); for item in signals.codes { element(); code(item) }; closeArray()
            if let days = signals.dateGapDays { key("dateGapDays"); int(Int64(days)) }
            key("names"); openArray(); for item in signals.names { element(); name(item) }; closeArray()
            key("repairs"); openArray(); for item in signals.repairs { element(); repair(item) }; closeArray()
            if let account = signals.virtualAccount { key("virtualAccount"); string(account) }
            if let student = signals.virtualAccountStudentId { key("virtualAccountStudentId"); int(student) }
        close()
    }

    mutating func code(_ code: CodeSignal) {
        open()
            key("checkValid"); bool(code.checkValid)
            if let invoice = code.invoiceId { key("invoiceId"); int(invoice) }
            key("isUsed"); bool(code.isUsed)
            key("isWordAligned"); bool(code.isWordAligned)
            key("kind"); string(code.kind.rawValue)
            key("source"); string(code.source.rawValue)
            if let student = code.studentId { key("studentId"); int(student) }
            key("text"); string(code.text)
        close()
    }

    mutating func repair(_ repair: RepairSignal) {
        open()
            key("damagedText"); string(repair.damagedText)
            key("edit"); string(repair.edit.rawValue)
            if let invoice = repair.invoiceId { key("invoiceId"); int(invoice) }
            key("position"); int(Int64(repair.position))
            key("repairedCode"); string(repair.repairedCode)
            key("studentId"); int(repair.studentId)
        close()
    }

    mutating func name(_ name: NameSignal) {
        open()
            key("matchedText"); string(name.matchedText)
            key("quality"); string(name.quality.rawValue)
            key("role"); string(name.role.rawValue)
            key("source"); string(name.source.rawValue)
            key("studentId"); int(name.studentId)
        close()
    }

    mutating func creditHolder(_ holder: CreditHolder) {
        switch holder {
        case .family(let key): openCase("family"); string(key); closeCase()
        case .student(let id): openCase("student"); int(id); closeCase()
        }
    }

    mutating func disposition(_ disposition: RemainderDisposition) {
        switch disposition {
        case .none: emptyCase("none")
        case .credit(let holder): openCase("credit"); creditHolder(holder); closeCase()
        case .unapplied: emptyCase("unapplied")
        }
    }

    // MARK: - JSON text

    /// A case with an associated value as synthesized `Codable` writes it: `{"case":{"_0":value}}`.
    private mutating func openCase(_ name: String) {
        open()
        key(name)
        open()
        key("_0")
    }

    private mutating func closeCase() {
        close()
        close()
    }

    /// A case without associated values: `{"case":{}}`.
    private mutating func emptyCase(_ name: String) {
        open()
        key(name)
        open()
        close()
        close()
    }

    private mutating func open() {
        output += "{"
        needsComma = false
    }

    private mutating func close() {
        output += "}"
        needsComma = true
    }

    private mutating func openArray() {
        output += "["
        needsComma = false
    }

    /// Before each element of an array.
    private mutating func element() {
        if needsComma { output += "," }
        needsComma = false
    }

    private mutating func closeArray() {
        output += "]"
        needsComma = true
    }

    private mutating func key(_ name: String) {
        if needsComma { output += "," }
        output += "\""
        output += name
        output += "\":"
        needsComma = false
    }

    private mutating func string(_ text: String) {
        JSONString.append(text, to: &output)
        needsComma = true
    }

    private mutating func int(_ value: Int64) {
        output += String(value)
        needsComma = true
    }

    private mutating func bool(_ value: Bool) {
        output += value ? "true" : "false"
        needsComma = true
    }
}
