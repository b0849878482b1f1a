import Core

/// What one camt `TxDtls` said, collected while its element is open.
struct CamtTransactionDetails {
    var amount: StatementAmount?
    var isCredit: Bool?
    var endToEndID: String?
    var transactionID: String?
    var bankReference: String?
    var debtorName: String?
    var debtorAccount: String?
    var creditorName: String?
    var creditorAccount: String?
    var unstructured: [String] = []
    var creditorReferences: [String] = []
    var additionalInformation: String?
    var transactionType: CamtTransactionCode = CamtTransactionCode()
    var position: SourcePosition
    var memoBytes = 0

    init(position: SourcePosition) {
        self.position = position
    }
}

/// `BkTxCd`: the ISO domain/family/sub-family codes or a proprietary code.
struct CamtTransactionCode {
    var domain: String?
    var family: String?
    var subFamily: String?
    var proprietary: String?

    /// `PMNT/RCDT/ESCT`, else the proprietary code.
    var text: String? {
        if let domain { return [domain, family, subFamily].compactMap { $0 }.joined(separator: "/") }
        return proprietary
    }
}

/// What one camt `Ntry` said, collected while its element is open.
struct CamtEntry {
    var amount: StatementAmount?
    var isCredit: Bool?
    var isReversal = false
    var status: String?
    var bookingDate: CalendarDate?
    var valueDate: CalendarDate?
    var bankReference: String?
    var additionalInformation: String?
    var transactionType = CamtTransactionCode()
    var details: [CamtTransactionDetails] = []
    var position: SourcePosition

    init(position: SourcePosition) {
        self.position = position
    }

    static let unstructuredWidth = 140

    /// The lines this entry becomes.
    ///
    /// Rule: an entry with two or more `TxDtls` that all carry an amount becomes one line per `TxDtls`
    /// (signed by its own `CdtDbtInd`, else the entry's); those amounts must add up to the entry's.
    /// Otherwise the entry is one line with the entry's amount; its memo joins the memos of all
    /// `TxDtls`, and references and parties come from the first `TxDtls` that has them.
    /// The bank reference is the entry's `AcctSvcrRef`; a split line takes its `TxDtls`'s own
    /// `Refs/AcctSvcrRef` when present and keeps the entry's in `entryReference`, beside `detailIndex`.
    func lines(statementIndex: Int) throws(CamtEntryError) -> [StatementLine] {
        guard let amount, let isCredit else {
            throw CamtEntryError(field: amount == nil ? "Amt" : "CdtDbtInd", message: "the entry has no \(amount == nil ? "amount" : "credit/debit indicator")")
        }
        let signed = isCredit ? amount : amount.negated
        if details.count >= 2 && details.allSatisfy({ $0.amount != nil }) {
            return try splitLines(signedTotal: signed, statementIndex: statementIndex)
        }
        var line = StatementLine(statementIndex: statementIndex, amount: signed, position: position)
        fillEntryFields(&line)
        try fill(&line, from: details, credit: isCredit)
        if line.memo.isEmpty { line.memo = additionalInformation ?? "" }
        return [line]
    }

    private func splitLines(signedTotal: StatementAmount, statementIndex: Int) throws(CamtEntryError) -> [StatementLine] {
        var lines: [StatementLine] = []
        var sum: StatementAmount
        do { sum = try StatementAmount.zero(currency: signedTotal.currency) } catch { throw CamtEntryError(field: "Amt", message: error.description) }
        for (index, detail) in details.enumerated() {
            let credit = detail.isCredit ?? isCredit!
            let signed = credit ? detail.amount! : detail.amount!.negated
            do { sum = try sum.adding(signed) } catch {
                throw CamtEntryError(field: "TxDtls", message: "TxDtls \(index + 1): \(error.description)")
            }
            var line = StatementLine(statementIndex: statementIndex, amount: signed, position: detail.position)
            fillEntryFields(&line)
            line.detailIndex = index + 1
            line.entryReference = bankReference
            line.bankReference = detail.bankReference ?? bankReference
            try fill(&line, from: [detail], credit: credit)
            lines.append(line)
        }
        guard sum == signedTotal else {
            throw CamtEntryError(field: "TxDtls", message: "the TxDtls amounts add up to \(sum.decimalText), the entry amount is \(signedTotal.decimalText)")
        }
        return lines
    }

    private func fillEntryFields(_ line: inout StatementLine) {
        line.bookingDate = bookingDate
        line.valueDate = valueDate
        line.isReversal = isReversal
        line.status = status
        line.bankReference = bankReference
        line.transactionTypeCode = transactionType.text
    }

    private func fill(_ line: inout StatementLine, from details: [CamtTransactionDetails], credit: Bool) throws(CamtEntryError) {
        var memos: [String] = []
        for detail in details {
            let memo = CamtEntry.memo(of: detail)
            if !memo.isEmpty { memos.append(memo) }
            if line.customerReference == nil, let id = detail.endToEndID, id != "NOTPROVIDED" { line.customerReference = id }
            if line.transactionID == nil { line.transactionID = detail.transactionID }
            if line.bankReference == nil { line.bankReference = detail.bankReference }
            if line.counterpartyName == nil { line.counterpartyName = credit ? detail.debtorName : detail.creditorName }
            if line.counterpartyAccount == nil { line.counterpartyAccount = credit ? detail.debtorAccount : detail.creditorAccount }
            if let code = detail.transactionType.text { line.transactionTypeCode = code }
            if credit && line.creditorAccount == nil { line.creditorAccount = detail.creditorAccount }
            line.creditorReferences += detail.creditorReferences
        }
        line.memo = memos.joined(separator: " ")
        guard line.memo.utf8.count <= StatementLimits.memoBytesMax else {
            throw CamtEntryError(field: "RmtInf", message: "the memo is longer than \(StatementLimits.memoBytesMax) bytes")
        }
    }

    /// `Ustrd` elements joined (a full 140-character element continues directly); else the
    /// structured creditor references; else `AddtlTxInf`.
    static func memo(of detail: CamtTransactionDetails) -> String {
        if !detail.unstructured.isEmpty { return MT940InformationField.joinPieces(detail.unstructured, width: unstructuredWidth) }
        if !detail.creditorReferences.isEmpty { return detail.creditorReferences.joined(separator: " ") }
        return detail.additionalInformation ?? ""
    }
}

struct CamtEntryError: Error {
    var field: String
    var message: String
}
