import Core

/// Why a bank account's ledger balance and its statement differ.
public enum ExplainingItemKind: String, Sendable, Codable, CaseIterable {
    /// A real-time callback that no statement line has confirmed yet (an orphan callback).
    case callbackNotOnStatement
    /// A statement line that never arrived as a callback and is not yet in the ledger.
    case statementLineWithoutCallback
    /// A fee the bank charged that the ledger has not recorded.
    case bankCharge
    /// Anything else the accountant recorded, explained in the memo.
    case other

    public var vietnameseName: String {
        switch self {
        case .callbackNotOnStatement: return "Báo có chưa có trên sao kê"
        case .statementLineWithoutCallback: return "Dòng sao kê chưa ghi sổ"
        case .bankCharge: return "Phí ngân hàng chưa ghi sổ"
        case .other: return "Khác"
        }
    }
}

/// One item that explains part of the difference between ledger and statement.
public struct ExplainingItem: Hashable, Sendable, Codable {
    public var kind: ExplainingItemKind
    public var date: CalendarDate
    /// Signed: how much the item contributes to the difference (ledger − statement). A callback the statement
    /// has not confirmed counts `+amount`; a statement line not yet in the ledger counts `−amount`.
    public var amount: Money
    /// The bank's reference, when it has one.
    public var reference: String?
    public var memo: String

    public init(kind: ExplainingItemKind, date: CalendarDate, amount: Money, reference: String?, memo: String) {
        self.kind = kind
        self.date = date
        self.amount = amount
        self.reference = reference
        self.memo = memo
    }

    static func canonicalOrder(_ a: ExplainingItem, _ b: ExplainingItem) -> Bool {
        if a.date != b.date { return a.date < b.date }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        if a.reference != b.reference { return (a.reference ?? "") < (b.reference ?? "") }
        if a.amount != b.amount { return a.amount < b.amount }
        return a.memo < b.memo
    }
}

/// Does a bank account's balance in the ledger agree with the bank's statement at month end, and if not, why.
public struct BankAccountAgreement: Hashable, Sendable, Codable {
    public var bankName: String
    /// Stored in full; masked to its last four characters in the HTML and CSV renderings.
    public var accountNumber: String
    /// The ledger's balance of the account at the end of the month.
    public var ledgerBalance: Money
    /// The closing balance of the last statement imported; nil when none was imported.
    public var statementClosingBalance: Money?
    /// The date of that statement's closing balance.
    public var statementDate: CalendarDate?
    public var explainingItems: [ExplainingItem]

    public init(
        bankName: String, accountNumber: String, ledgerBalance: Money, statementClosingBalance: Money?,
        statementDate: CalendarDate?, explainingItems: [ExplainingItem]
    ) {
        self.bankName = bankName
        self.accountNumber = accountNumber
        self.ledgerBalance = ledgerBalance
        self.statementClosingBalance = statementClosingBalance
        self.statementDate = statementDate
        self.explainingItems = explainingItems
    }

    /// Ledger − statement; nil when no statement was imported.
    public var difference: Money? {
        statementClosingBalance.map { Money(dong: ReportSum.of([ledgerBalance.dong, -$0.dong])) }
    }

    /// The sum of the explaining items.
    public var explained: Money { Money(dong: ReportSum.of(explainingItems.map(\.amount))) }

    /// What the items do not explain: difference − explained; nil when no statement was imported.
    /// Zero means the account agrees once the items are taken into account.
    public var unexplained: Money? {
        difference.map { Money(dong: ReportSum.of([$0.dong, -explained.dong])) }
    }

    func validated(_ field: String) throws(ReportError) -> BankAccountAgreement {
        try ReportValidation.text(bankName, field + ".bankName")
        try ReportValidation.text(accountNumber, field + ".accountNumber")
        try ReportValidation.amount(ledgerBalance, field + ".ledgerBalance")
        try ReportValidation.amount(statementClosingBalance, field + ".statementClosingBalance")
        try ReportValidation.count(explainingItems, max: ReportLimits.explainingItemsMax, field + ".explainingItems")
        for (index, item) in explainingItems.enumerated() {
            let itemField = "\(field).explainingItems[\(index)]"
            try ReportValidation.amount(item.amount, itemField + ".amount")
            try ReportValidation.optionalText(item.reference, itemField + ".reference")
            try ReportValidation.optionalText(item.memo, itemField + ".memo")
        }
        var sorted = self
        sorted.explainingItems.sort(by: ExplainingItem.canonicalOrder)
        return sorted
    }
}
