import Core
import Testing
@testable import BankFormats

@Suite("MT940")
struct StatementMT940Tests {
    /// One statement around `body` (the `:61:`/`:86:` fields), closing balance computed by the caller.
    static func statement(_ body: String, opening: String = "C240101VND1000,00", closing: String) -> String {
        ":20:REF1\n:25:ACC1\n:28C:7/2\n:60F:\(opening)\n" + body + ":62F:\(closing)\n"
    }

    static func singleLine(_ field61: String, closing: String = "C240131VND1000,") throws -> StatementLine {
        // The balance is not checked by the parser, so one closing balance fits every line.
        let recorder = try StatementFixtures.parse(statement(":61:\(field61)\n", closing: closing), format: .mt940)
        #expect(recorder.lines.count == 1)
        return recorder.lines[0]
    }

    @Test("value date, entry date, mark, amount, type, references")
    func fullLine() throws {
        let line = try Self.singleLine("2401020103C1500000,50NTRFCUSTREF123//BANKREF-0001")
        #expect(line.valueDate == (try CalendarDate(year: 2024, month: 1, day: 2)))
        #expect(line.bookingDate == (try CalendarDate(year: 2024, month: 1, day: 3)))
        #expect(line.amount == .of("1500000.5"))
        #expect(!line.isReversal)
        #expect(line.fundsCode == nil)
        #expect(line.transactionTypeCode == "NTRF")
        #expect(line.customerReference == "CUSTREF123")
        #expect(line.bankReference == "BANKREF-0001")
        #expect(line.position.line == 5)
    }

    @Test("without entry date the booking date is the value date; NONREF is no reference; no // means no bank reference")
    func minimalLine() throws {
        let line = try Self.singleLine("240215D25,S202NONREF")
        #expect(line.valueDate == (try CalendarDate(year: 2024, month: 2, day: 15)))
        #expect(line.bookingDate == line.valueDate)
        #expect(line.amount == .of("-25"))
        #expect(line.transactionTypeCode == "S202")
        #expect(line.customerReference == nil)
        #expect(line.bankReference == nil)
    }

    @Test("entry date year across the December/January boundary, both ways")
    func yearBoundary() throws {
        let januaryValueDecemberEntry = try Self.singleLine("2401011231C1,NTRFNONREF")
        #expect(januaryValueDecemberEntry.bookingDate == (try CalendarDate(year: 2023, month: 12, day: 31)))
        let decemberValueJanuaryEntry = try Self.singleLine("2312310102C1,NTRFNONREF")
        #expect(decemberValueJanuaryEntry.bookingDate == (try CalendarDate(year: 2024, month: 1, day: 2)))
        let sameYear = try Self.singleLine("2406300701C1,NTRFNONREF")
        #expect(sameYear.bookingDate == (try CalendarDate(year: 2024, month: 7, day: 1)))
    }

    @Test("marks C, D, RC (reversed credit: money out), RD (reversed debit: money in)")
    func marks() throws {
        let credit = try Self.singleLine("240102C10,NTRFNONREF")
        let debit = try Self.singleLine("240102D10,NTRFNONREF")
        let reversedCredit = try Self.singleLine("240102RC10,NTRFNONREF")
        let reversedDebit = try Self.singleLine("240102RD10,NTRFNONREF")
        #expect(credit.amount == .of("10") && !credit.isReversal)
        #expect(debit.amount == .of("-10") && !debit.isReversal)
        #expect(reversedCredit.amount == .of("-10") && reversedCredit.isReversal)
        #expect(reversedDebit.amount == .of("10") && reversedDebit.isReversal)
    }

    @Test("a letter after the mark is the funds code: DR800, is a debit with funds code R, not a reversal")
    func fundsCode() throws {
        let dr = try Self.singleLine("240102DR800,NTRFNONREF")
        #expect(dr.amount == .of("-800") && !dr.isReversal && dr.fundsCode == "R")
        let cr = try Self.singleLine("2401020102CR800,NTRFNONREF")
        #expect(cr.amount == .of("800") && !cr.isReversal && cr.fundsCode == "R")
        let rdr = try Self.singleLine("240102RDR800,NTRFNONREF")
        #expect(rdr.amount == .of("800") && rdr.isReversal && rdr.fundsCode == "R")
        let rd = try Self.singleLine("240102RD800,NTRFNONREF")
        #expect(rd.amount == .of("800") && rd.isReversal && rd.fundsCode == nil)
    }

    @Test("supplementary details on the second line")
    func supplementaryDetails() throws {
        let line = try Self.singleLine("240102C10,NTRFNONREF//B1\nSUPPLEMENTARY 34 CHARS")
        #expect(line.supplementaryDetails == "SUPPLEMENTARY 34 CHARS")
        #expect(line.bankReference == "B1")
    }

    @Test("malformed :61: fields are refused in strict mode naming the line, the field and the part")
    func malformed() {
        let cases: [(String, String)] = [
            ("24010C10,NTRFNONREF", "value date"),
            ("240230C10,NTRFNONREF", "value date"),
            ("2401021399C10,NTRFNONREF", "entry date"),
            ("240102X10,NTRFNONREF", "mark"),
            ("240102R10,NTRFNONREF", "mark"),
            ("240102C10NTRFNONREF", "amount"),
            ("240102C1,0,0NTRFNONREF", "amount"),
            ("240102C1234567890123,45NTRFNONREF", "longer than 15"),
            ("240102C10,XTRFNONREF", "transaction type"),
            ("240102C10,S20XNONREF", "transaction type"),
            ("240102C10,NTRF", "customer reference"),
            ("240102C10,NTRFTHISREFISWAYTOOLONG", "customer reference"),
            ("240102C10,NTRFNONREF//", "bank reference"),
            ("240102C10,NTRFNONREF//12345678901234567", "bank reference"),
            ("240102C10,NTRFNONREF\nDETAILS\nTHIRD LINE", "more than 2 lines"),
        ]
        for (field, part) in cases {
            let text = StatementMT940Tests.statement(":61:\(field)\n", closing: "C240131VND1000,")
            let error = StatementFixtures.parseError(text, format: .mt940, strict: true)
            #expect(error?.line == 5, "\(field)")
            #expect(error?.field == ":61:", "\(field)")
            #expect(error?.message.contains(part) == true, "\(field): \(error?.description ?? "no error")")
            #expect(error?.description.hasPrefix("test: line 5: field :61: ") == true, "\(error?.description ?? "")")
        }
    }

    @Test(":86: continuation lines belong to the field until a new tag; fixed-width pieces join directly")
    func wrappedInformation() throws {
        let first = String(repeating: "A", count: 60) + "HP7K2"
        let body = ":61:240102C10,NTRFNONREF\n:86:\(first)\nQ9X NGUYEN VAN AN\nLOP 6A1\n"
        let recorder = try StatementFixtures.parse(StatementMT940Tests.statement(body, closing: "C240102VND1010,"), format: .mt940)
        #expect(recorder.lines.first?.memo == String(repeating: "A", count: 60) + "HP7K2Q9X NGUYEN VAN AN LOP 6A1")
    }

    @Test("?nn subfields: memo from ?20–?29, name from ?32/?33, account from ?31, all subfields kept")
    func structuredInformation() throws {
        let body = ":61:240102C10,NTRFNONREF\n:86:166?00GUTSCHRIFT?100599?20EREF+E2E-1?21SVWZ+HP7K2Q9X HOC PHI THANG 0\n1?30COBADEFF?31DE12500105170648489890?32NGUYEN VAN AN VA TRAN THI M?33AI LAN\n"
        let line = try StatementFixtures.parse(StatementMT940Tests.statement(body, closing: "C240102VND1010,"), format: .mt940).lines[0]
        #expect(line.memo == "EREF+E2E-1 SVWZ+HP7K2Q9X HOC PHI THANG 01")
        #expect(line.counterpartyName == "NGUYEN VAN AN VA TRAN THI MAI LAN")
        #expect(line.counterpartyAccount == "DE12500105170648489890")
        let codes = line.informationSubfields.map(\.code)
        #expect(codes == ["", "00", "10", "20", "21", "30", "31", "32", "33"])
        #expect(line.informationSubfields[0].value == "166")
        #expect(line.informationSubfields[1].value == "GUTSCHRIFT")
    }

    @Test("several statements, an empty one, SWIFT blocks, CRLF, trailers")
    func severalStatements() throws {
        let text = """
        {1:F01BANKVNVXAXXX0000000000}{2:O940}{4:
        :20:S1
        :25:111
        :28C:1
        :60F:C240101VND100,
        :61:240102C50,NTRFNONREF
        :62F:C240102VND150,
        -}
        {1:F01BANKVNVXAXXX0000000000}{2:O940}{4:
        :20:S2
        :25:222
        :28C:2/1
        :60M:D240101EUR10,50
        :62M:D240102EUR10,50
        -}{5:{CHK:ABCDEF}}
        :20:S3
        :25:333
        :28C:3
        :60F:C240101VND0,
        :61:240103D1,NCHGNONREF
        :86:FEE
        :62F:D240103VND1,
        """.replacingOccurrences(of: "\n", with: "\r\n")
        let recorder = try StatementFixtures.parse(text, format: .mt940)
        #expect(recorder.events == [.began(0), .line(0), .ended(0), .began(1), .ended(1), .began(2), .line(2), .ended(2)])
        #expect(recorder.ended.map(\.statementID) == ["S1", "S2", "S3"])
        #expect(recorder.ended[1].currency == "EUR")
        #expect(recorder.ended[1].number == "2" && recorder.ended[1].sequence == "1")
        #expect(recorder.ended[1].openingBalance?.kind == .intermediateOpening)
        #expect(recorder.ended[1].closingBalance?.amount == .of("-10.5", "EUR"))
        #expect(recorder.lines[1].memo == "FEE")
        #expect(recorder.ended.allSatisfy { StatementBalanceCheck.check($0).isBalanced })
    }

    @Test("structure errors (strict mode): fields out of order, missing closing balance, unknown tags, text outside fields")
    func structureErrors() {
        let cases: [(String, Int, String?, String)] = [
            (":25:ACC\n:20:X\n", 1, ":25:", "before the statement's :20:"),
            (":20:X\n:25:A\n:61:240102C1,NTRFNONREF\n:62F:C240102VND1,\n", 3, ":61:", "before the opening balance"),
            (":20:X\n:60F:C240101VND1,\n:61:240102C1,NTRFNONREF\n", 3, ":62F:", "without a closing balance"),
            (":20:X\n:60F:C240101VND1,\n:62F:C240101VND1,\n:61:240102C1,NTRFNONREF\n", 4, ":61:", "after the closing balance"),
            (":20:X\n:60F:C240101VND1,\n:99:WHAT\n:62F:C240101VND1,\n", 3, ":99:", "not a field"),
            ("HELLO\n:20:X\n", 1, nil, "outside any :NN: field"),
            (":20:X\n:60F:C240101VND1,\n:62F:C240101EUR1,\n", 3, ":62F:", "statement is in VND"),
            (":20:X\n:60F:C240101VND1,\n:61:240102C1,NTRFNONREF\n:86:A\n:86:B\n:62F:C240102VND2,\n", 5, ":86:", "second :86:"),
            (":20:X\n:60F:X240101VND1,\n:62F:C240101VND1,\n", 2, ":60F:", "mark"),
            (":20:X\n:60F:C240101VND1.5\n:62F:C240101VND1,\n", 2, ":60F:", "decimal comma"),
            ("", 0, nil, "no MT940 statement"),
        ]
        for (text, line, field, message) in cases {
            let error = StatementFixtures.parseError(text, format: .mt940, strict: true)
            #expect(error != nil, "\(text)")
            if line > 0 { #expect(error?.line == line, "\(text): \(error?.description ?? "")") }
            #expect(error?.field == field, "\(text): \(error?.description ?? "")")
            #expect(error?.message.contains(message) == true, "\(text): \(error?.description ?? "")")
        }
    }

    @Test("continuation lines that look like markup stay text: braces, dashes inside a memo")
    func markupLookalikes() throws {
        let body = ":61:240102C10,NTRFNONREF\n:86:HOC PHI\n{TRUONG A}\n-- THANG 1\n"
        let recorder = try StatementFixtures.parse(StatementMT940Tests.statement(body, closing: "C240102VND1010,"), format: .mt940)
        #expect(recorder.lines.first?.memo == "HOC PHI {TRUONG A} -- THANG 1")
    }

    @Test("a line reaches the consumer with its :86: only after the next field")
    func lineCarriesInformation() throws {
        let body = ":61:240102C10,NTRFNONREF\n:86:FIRST\n:61:240103C20,NTRFNONREF\n:86:SECOND\n"
        let recorder = try StatementFixtures.parse(StatementMT940Tests.statement(body, closing: "C240103VND1030,"), format: .mt940)
        #expect(recorder.lines.map(\.memo) == ["FIRST", "SECOND"])
        #expect(recorder.ended[0].totals.credits == .of("30"))
        #expect(recorder.ended[0].totals.lineCount == 2)
    }

    @Test("limits: an over-long line and an over-long field are refused")
    func limits() {
        let longLine = ":20:" + String(repeating: "X", count: StatementLimits.lineBytesMax + 1) + "\n"
        #expect(StatementFixtures.parseError(longLine, format: .mt940)?.kind == .limit)
        let continuation = String(repeating: String(repeating: "Y", count: 60) + "\n", count: StatementLimits.mt940FieldBytesMax / 60 + 2)
        let longField = ":20:X\n:60F:C240101VND1,\n:61:240102C1,NTRFNONREF\n:86:A\n" + continuation
        let error = StatementFixtures.parseError(longField, format: .mt940)
        #expect(error?.kind == .limit && error?.field == ":86:")
    }
}
