import Core

/// Reading camt.053 leaf values: amounts with their `Ccy`, indicators, dates.
enum CamtValues {
    static func amount(_ text: String, attributes: [XMLAttribute]) throws(CamtValueError) -> StatementAmount {
        guard let currency = attributes.first(where: { $0.localName == "Ccy" })?.value else {
            throw CamtValueError("the amount has no Ccy attribute")
        }
        guard !text.hasPrefix("-") else { throw CamtValueError("amount '\(text)' is negative; the sign belongs in CdtDbtInd") }
        do {
            return try StatementAmount(parsing: text.utf8, decimalSeparator: UInt8(ascii: "."), currency: currency)
        } catch {
            throw CamtValueError(error.description)
        }
    }

    /// `CRDT` → true, `DBIT` → false.
    static func isCredit(_ text: String) throws(CamtValueError) -> Bool {
        switch text {
        case "CRDT": return true
        case "DBIT": return false
        default: throw CamtValueError("'\(text)' is not CRDT or DBIT")
        }
    }

    static func boolean(_ text: String) throws(CamtValueError) -> Bool {
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw CamtValueError("'\(text)' is not true or false")
        }
    }

    /// `YYYY-MM-DD`, or the date part of an ISO date-time as written (its own offset, no conversion).
    static func date(_ text: String, isDateTime: Bool) throws(CamtValueError) -> CalendarDate {
        let bytes = Array(text.utf8)
        let datePart = isDateTime ? Array(bytes.prefix(10)) : bytes
        if isDateTime {
            guard bytes.count > 10, bytes[10] == UInt8(ascii: "T") else { throw CamtValueError("'\(text)' is not an ISO date-time") }
        }
        do {
            return try CalendarDate(iso: String(decoding: datePart, as: UTF8.self))
        } catch {
            throw CamtValueError("'\(text)' is not a date YYYY-MM-DD")
        }
    }

    static func balanceKind(_ code: String) -> StatementBalanceKind {
        switch code {
        case "OPBD": return .opening
        case "CLBD": return .closing
        case "CLAV": return .available
        case "PRCD": return .previouslyClosed
        case "ITBD": return .interimBooked
        case "ITAV": return .interimAvailable
        case "FWAV": return .forwardAvailable
        case "OPAV": return .openingAvailable
        default: return .other
        }
    }
}

struct CamtValueError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// What one camt `Bal` said, collected while its element is open.
struct CamtBalance {
    var code: String?
    var amount: StatementAmount?
    var isCredit: Bool?
    var date: CalendarDate?
    var position: SourcePosition

    func balance() throws(CamtValueError) -> StatementBalance {
        guard let code else { throw CamtValueError("the balance has no Tp/CdOrPrtry code") }
        guard let amount else { throw CamtValueError("balance \(code) has no Amt") }
        guard let isCredit else { throw CamtValueError("balance \(code) has no CdtDbtInd") }
        return StatementBalance(kind: CamtValues.balanceKind(code), code: code, amount: isCredit ? amount : amount.negated,
                                date: date, position: position)
    }
}
