/// The one rule for the reason a person gives for a correction (voiding an invoice, unapplying a payment, a
/// discount's policy, a suspense decision or its reversal): white space collapsed, required, at most
/// `BillingLimits.reasonCharactersMax` characters (Unicode scalars, as PostgreSQL's `length` counts them). Each caller refuses with its own error type and this wording.
public enum RecordedReason {
    /// What a refused reason is told, after the field's name.
    public static let problem = "a reason is required, at most \(BillingLimits.reasonCharactersMax) characters"

    /// `text` with every run of white space one space, or nil when that is empty or too long.
    public static func normalized(_ text: String) -> String? {
        let collapsed = StudentRules.collapse(text)
        guard !collapsed.isEmpty, collapsed.unicodeScalars.count <= BillingLimits.reasonCharactersMax else { return nil }
        return collapsed
    }
}
