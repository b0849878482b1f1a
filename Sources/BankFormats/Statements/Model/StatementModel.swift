import Core

/// Where in the source file something was read: a text line, and for XML the element path too.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line number in the file (for CSV: the line where the record starts).
    public var line: Int
    /// For camt.053: the element path, e.g. `Document/BkToCstmrStmt/Stmt[2]/Ntry[14]`.
    public var xmlPath: String?

    public init(line: Int, xmlPath: String? = nil) {
        self.line = line
        self.xmlPath = xmlPath
    }

    public var description: String {
        if let xmlPath { return "\(xmlPath) (line \(line))" }
        return "line \(line)"
    }
}

/// What a balance states about the account.
public enum StatementBalanceKind: String, Sendable, CaseIterable {
    /// MT940 `:60F:`, camt `OPBD`.
    case opening
    /// MT940 `:60M:`: the opening balance of a statement continued from an earlier page.
    case intermediateOpening
    /// MT940 `:62F:`, camt `CLBD`.
    case closing
    /// MT940 `:62M:`: the closing balance of a page that continues on a later one.
    case intermediateClosing
    /// MT940 `:64:`, camt `CLAV`.
    case available
    /// MT940 `:65:`, camt `FWAV`.
    case forwardAvailable
    /// camt `PRCD`: the closing balance of the previous statement.
    case previouslyClosed
    /// camt `ITBD`.
    case interimBooked
    /// camt `ITAV`.
    case interimAvailable
    /// camt `OPAV`.
    case openingAvailable
    /// camt `INFO` or a proprietary code.
    case other
}

/// One balance of a statement.
public struct StatementBalance: Hashable, Sendable {
    public var kind: StatementBalanceKind
    /// The code as the file wrote it: `60F`, `OPBD`, or the CSV label.
    public var code: String
    /// Signed: negative for a debit (overdrawn) balance.
    public var amount: StatementAmount
    public var date: CalendarDate?
    public var position: SourcePosition

    public init(kind: StatementBalanceKind, code: String, amount: StatementAmount, date: CalendarDate?, position: SourcePosition) {
        self.kind = kind
        self.code = code
        self.amount = amount
        self.date = date
        self.position = position
    }
}

/// Line count and sums of the lines delivered so far for a statement.
public struct StatementTotals: Hashable, Sendable {
    public var lineCount: Int = 0
    /// Sum of the credit lines (money in), positive.
    public var credits: StatementAmount?
    /// Sum of the debit lines (money out), as a positive magnitude.
    public var debits: StatementAmount?
    /// Lines not counted in `credits`/`debits` because their status is not booked (camt `PDNG`, `INFO`).
    public var unbookedLineCount: Int = 0

    public init() {}
}

/// One statement: an account's movements between an opening and a closing balance.
///
/// Delivered twice to a consumer: at the start with what precedes the first line
/// (identification, the opening balance), and at the end complete (all balances, totals).
public struct Statement: Hashable, Sendable {
    /// 0-based index of the statement in its file.
    public var index: Int
    public var account: String?
    /// MT940 `:20:` transaction reference, camt `Stmt/Id`.
    public var statementID: String?
    /// MT940 `:28C:` statement number, camt `ElctrncSeqNb`.
    public var number: String?
    /// MT940 `:28C:` sequence (page) number, camt `LglSeqNb`.
    public var sequence: String?
    /// The account currency (from the opening balance, `Acct/Ccy`, or the CSV description).
    public var currency: String?
    public var balances: [StatementBalance] = []
    public var totals = StatementTotals()
    public var position: SourcePosition

    public init(index: Int, position: SourcePosition) {
        self.index = index
        self.position = position
    }

    /// The balance the statement opens with: `:60F:`/`:60M:`, `OPBD`, else `PRCD`.
    public var openingBalance: StatementBalance? {
        balances.first { $0.kind == .opening || $0.kind == .intermediateOpening }
            ?? balances.first { $0.kind == .previouslyClosed }
    }

    /// The balance the statement closes with: `:62F:`/`:62M:`, `CLBD`.
    public var closingBalance: StatementBalance? {
        balances.first { $0.kind == .closing || $0.kind == .intermediateClosing }
    }
}

/// One movement on the account.
public struct StatementLine: Hashable, Sendable {
    /// 0-based index of the statement this line belongs to.
    public var statementIndex: Int
    /// The date the bank booked the line (MT940 entry date, else value date; camt `BookgDt`; CSV date).
    public var bookingDate: CalendarDate?
    public var valueDate: CalendarDate?
    /// Signed: positive for a credit (money in), negative for a debit.
    public var amount: StatementAmount
    /// True for a reversal (MT940 `RC`/`RD`, camt `RvslInd`).
    public var isReversal: Bool = false
    /// The bank's reference for the line: camt `AcctSvcrRef` (of the transaction, else of the entry),
    /// MT940 `:61:` reference after `//`, CSV transaction number. The importer's duplicate key,
    /// together with `detailIndex`.
    public var bankReference: String?
    /// The account owner's reference: MT940 `:61:` customer reference (nil for `NONREF`),
    /// camt `EndToEndId` (nil for `NOTPROVIDED`).
    public var customerReference: String?
    /// camt `Refs/TxId`.
    public var transactionID: String?
    /// camt entry-level `AcctSvcrRef` of a line split from a multi-transaction entry (see `detailIndex`).
    public var entryReference: String?
    /// 1-based index of the camt `TxDtls` when an entry was split into one line per transaction.
    public var detailIndex: Int?
    /// Free text: `:86:` (or its `?20`–`?29` subfields), camt `Ustrd` joined or `Strd/CdtrRefInf/Ref`, CSV memo.
    public var memo: String = ""
    /// The other party: the payer of a credit, the payee of a debit.
    public var counterpartyName: String?
    public var counterpartyAccount: String?
    /// MT940 `:61:` type (`NTRF`, `S202`), camt `BkTxCd` (`PMNT/RCDT/ESCT` or the proprietary code).
    public var transactionTypeCode: String?
    /// MT940 funds code (the letter after the mark), when present.
    public var fundsCode: String?
    /// camt `Sts` (`BOOK`, `PDNG`, `INFO`); nil for MT940 and CSV, where every line is booked.
    public var status: String?
    /// MT940 `:61:` supplementary details (its second line).
    public var supplementaryDetails: String?
    /// MT940 `:86:` `?nn` subfields in file order, when the field is structured that way.
    public var informationSubfields: [InformationSubfield] = []
    /// camt `RltdPties/CdtrAcct` of a credit: the account the payer paid into, a pupil's virtual
    /// account when the bank collects into virtual accounts.
    public var creditorAccount: String?
    /// camt `RmtInf/Strd/CdtrRefInf/Ref` values of the line (also the memo when there is no `Ustrd`):
    /// where banks put the virtual account or payment code as a structured reference.
    public var creditorReferences: [String] = []
    /// CSV balance column: the account balance after this line.
    public var balanceAfter: StatementAmount?
    public var position: SourcePosition

    public init(statementIndex: Int, amount: StatementAmount, position: SourcePosition) {
        self.statementIndex = statementIndex
        self.amount = amount
        self.position = position
    }

    /// True unless the bank marked the line as not booked (camt `PDNG`, `INFO`, `FUTR`).
    public var isBooked: Bool { status == nil || status == "BOOK" }
}

/// One `?nn` subfield of an MT940 `:86:` field.
public struct InformationSubfield: Hashable, Sendable {
    /// Two digits: `20`, `32`.
    public var code: String
    public var value: String

    public init(code: String, value: String) {
        self.code = code
        self.value = value
    }
}
