import Core
import Crypto

/// One posting of an entry: an account, a signed amount (debit positive), optional dimensions.
public struct PostingRequest: Hashable, Sendable, Codable {
    public var accountID: Int64
    public var amount: Money
    public var dimensions: PostingDimensions

    public init(accountID: Int64, amount: Money, dimensions: PostingDimensions = .none) {
        self.accountID = accountID
        self.amount = amount
        self.dimensions = dimensions
    }
}

/// What the entry was made from.
public struct EntryReferences: Hashable, Sendable, Codable {
    public var invoiceID: Int64?
    public var bankTransactionID: Int64?
    /// Set on reversals only: the entry this one reverses.
    public var reversesEntryID: Int64?

    public init(invoiceID: Int64? = nil, bankTransactionID: Int64? = nil, reversesEntryID: Int64? = nil) {
        self.invoiceID = invoiceID
        self.bankTransactionID = bankTransactionID
        self.reversesEntryID = reversesEntryID
    }
}

/// A journal entry to record. The idempotency key is the caller's: the same key with the same
/// request returns the first result and writes nothing; with a different request it is refused.
public struct JournalEntryRequest: Hashable, Sendable, Codable {
    public var schoolID: Int64
    public var effectiveDate: CalendarDate
    public var kind: EntryKind
    public var description: String
    public var idempotencyKey: String
    public var references: EntryReferences
    public var postings: [PostingRequest]

    public init(schoolID: Int64, effectiveDate: CalendarDate, kind: EntryKind, description: String,
                idempotencyKey: String, references: EntryReferences = EntryReferences(), postings: [PostingRequest]) {
        self.schoolID = schoolID
        self.effectiveDate = effectiveDate
        self.kind = kind
        self.description = description
        self.idempotencyKey = idempotencyKey
        self.references = references
        self.postings = postings
    }

    /// Checks what can be checked without the database; the database checks the rest again.
    public func validate() throws(LedgerError) {
        guard (2...LedgerLimits.postingsPerEntryMax).contains(postings.count) else { throw .postingCount(postings.count) }
        try LedgerText.check(description, field: "description", bytesMax: LedgerLimits.descriptionBytesMax)
        try LedgerText.check(idempotencyKey, field: "idempotency key", bytesMax: LedgerLimits.idempotencyKeyBytesMax)
        var sum: Int64 = 0
        for (index, posting) in postings.enumerated() {
            guard !posting.amount.isZero else { throw .zeroAmount(line: index + 1) }
            guard posting.amount.dong.magnitude <= UInt64(Money.absoluteDongMax) else { throw .amountOutOfBounds(line: index + 1) }
            sum += posting.amount.dong // bounded by 1000 × 10^15 < Int64.max
        }
        guard sum == 0 else { throw .unbalanced(sum: sum) }
        guard (kind == .reversal) == (references.reversesEntryID != nil) else { throw .invalidText(field: "reversal reference") }
    }

    /// SHA-256 of a canonical rendering of every field, stored with the entry to recognise retries.
    public var requestHash: [UInt8] {
        var text = "v1|\(schoolID)|\(effectiveDate.iso)|\(kind.rawValue)|\(description.utf8.count):\(description)|"
        text += [references.invoiceID, references.bankTransactionID, references.reversesEntryID]
            .map { $0.map(String.init) ?? "-" }.joined(separator: "|")
        for posting in postings {
            let d = posting.dimensions
            text += "|\(posting.accountID):\(posting.amount.dong):"
            text += [d.studentID, d.familyID, d.invoiceID, d.bankTransactionID].map { $0.map(String.init) ?? "-" }.joined(separator: ",")
        }
        return SHA256Digest.hash(Array(text.utf8))
    }
}

/// The outcome of recording an entry.
public struct PostedEntry: Hashable, Sendable {
    public let entryID: Int64
    /// True when the key had been used before with the same request: nothing was written now.
    public let replayed: Bool

    public init(entryID: Int64, replayed: Bool) {
        self.entryID = entryID
        self.replayed = replayed
    }
}

enum LedgerText {
    /// Non-empty, bounded, and free of control characters other than none at all.
    static func check(_ text: String, field: String, bytesMax: Int) throws(LedgerError) {
        guard !text.isEmpty, text.utf8.count <= bytesMax,
              !text.unicodeScalars.contains(where: { $0.isControlCharacter })
        else { throw .invalidText(field: field) }
    }
}
