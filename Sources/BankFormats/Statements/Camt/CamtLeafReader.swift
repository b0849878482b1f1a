/// Where each camt.053 leaf element goes, by its path below `Bal`, `Ntry` or `TxDtls`.
enum CamtLeafReader {
    static func read(_ path: String, _ value: String, _ attributes: [XMLAttribute], into balance: inout CamtBalance) throws(CamtValueError) {
        switch path {
        case "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry": balance.code = value
        case "Amt": balance.amount = try CamtValues.amount(value, attributes: attributes)
        case "CdtDbtInd": balance.isCredit = try CamtValues.isCredit(value)
        case "Dt/Dt": balance.date = try CamtValues.date(value, isDateTime: false)
        case "Dt/DtTm": balance.date = try CamtValues.date(value, isDateTime: true)
        default: break
        }
    }

    static func read(_ path: String, _ value: String, _ attributes: [XMLAttribute], into entry: inout CamtEntry) throws(CamtValueError) {
        switch path {
        case "Amt": entry.amount = try CamtValues.amount(value, attributes: attributes)
        case "CdtDbtInd": entry.isCredit = try CamtValues.isCredit(value)
        case "RvslInd": entry.isReversal = try CamtValues.boolean(value)
        case "Sts", "Sts/Cd", "Sts/Prtry": entry.status = value
        case "BookgDt/Dt": entry.bookingDate = try CamtValues.date(value, isDateTime: false)
        case "BookgDt/DtTm": entry.bookingDate = try CamtValues.date(value, isDateTime: true)
        case "ValDt/Dt": entry.valueDate = try CamtValues.date(value, isDateTime: false)
        case "ValDt/DtTm": entry.valueDate = try CamtValues.date(value, isDateTime: true)
        case "AcctSvcrRef": entry.bankReference = value
        case "AddtlNtryInf": entry.additionalInformation = value
        default: readTransactionCode(path, value, into: &entry.transactionType)
        }
    }

    static func read(_ path: String, _ value: String, _ attributes: [XMLAttribute], into detail: inout CamtTransactionDetails) throws(CamtValueError) {
        switch path {
        case "Refs/EndToEndId": detail.endToEndID = value
        case "Refs/TxId": detail.transactionID = value
        case "Refs/AcctSvcrRef": detail.bankReference = value
        case "Amt", "AmtDtls/TxAmt/Amt":
            if detail.amount == nil { detail.amount = try CamtValues.amount(value, attributes: attributes) }
        case "CdtDbtInd": detail.isCredit = try CamtValues.isCredit(value)
        case "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm": detail.debtorName = value
        case "RltdPties/DbtrAcct/Id/IBAN", "RltdPties/DbtrAcct/Id/Othr/Id": detail.debtorAccount = value
        case "RltdPties/Cdtr/Nm", "RltdPties/Cdtr/Pty/Nm": detail.creditorName = value
        case "RltdPties/CdtrAcct/Id/IBAN", "RltdPties/CdtrAcct/Id/Othr/Id": detail.creditorAccount = value
        case "RmtInf/Ustrd":
            try countMemo(value, in: &detail)
            detail.unstructured.append(value)
        case "RmtInf/Strd/CdtrRefInf/Ref":
            try countMemo(value, in: &detail)
            detail.creditorReferences.append(value)
        case "AddtlTxInf": detail.additionalInformation = value
        default: readTransactionCode(path, value, into: &detail.transactionType)
        }
    }

    private static func countMemo(_ value: String, in detail: inout CamtTransactionDetails) throws(CamtValueError) {
        detail.memoBytes += value.utf8.count + 1
        guard detail.memoBytes <= StatementLimits.memoBytesMax else {
            throw CamtValueError("the remittance information is longer than \(StatementLimits.memoBytesMax) bytes")
        }
    }

    private static func readTransactionCode(_ path: String, _ value: String, into code: inout CamtTransactionCode) {
        switch path {
        case "BkTxCd/Domn/Cd": code.domain = value
        case "BkTxCd/Domn/Fmly/Cd": code.family = value
        case "BkTxCd/Domn/Fmly/SubFmlyCd": code.subFamily = value
        case "BkTxCd/Prtry/Cd": code.proprietary = value
        default: break
        }
    }
}
