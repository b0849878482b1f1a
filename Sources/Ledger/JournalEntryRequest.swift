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
    /// The rendering (`v1|school|date|kind|bytes:description|invoice|transaction|reversed`, then per posting
    /// `|account:amount:student,family,invoice,transaction`, `-` for an absent id) is written as bytes into
    /// one buffer: string interpolation and a joined array per posting were 0.6 % of the server's CPU per
    /// callback. Stored hashes are compared on every replay: `RequestHashTests` holds the text to it.
    public var requestHash: [UInt8] {
        var text = CanonicalText(capacity: 80 + description.utf8.count + postings.count * 56)
        text.add("v1|")
        text.add(schoolID)
        text.add("|")
        text.add(effectiveDate.iso)
        text.add("|")
        text.add(kind.rawValue)
        text.add("|")
        text.add(Int64(description.utf8.count))
        text.add(":")
        text.add(description)
        text.add("|")
        text.add(id: references.invoiceID)
        text.add("|")
        text.add(id: references.bankTransactionID)
        text.add("|")
        text.add(id: references.reversesEntryID)
        for posting in postings {
            let d = posting.dimensions
            text.add("|")
            text.add(posting.accountID)
            text.add(":")
            text.add(posting.amount.dong)
            text.add(":")
            text.add(id: d.studentID)
            text.add(",")
            text.add(id: d.familyID)
            text.add(",")
            text.add(id: d.invoiceID)
            text.add(",")
            text.add(id: d.bankTransactionID)
        }
        return SHA256Digest.hash(text.bytes)
    }
}

/// The bytes `requestHash` digests.
struct CanonicalText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func add(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func add(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }

    /// An id, or `-` when absent.
    mutating func add(id: Int64?) {
        if let id { add(id) } else { add("-") }
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
