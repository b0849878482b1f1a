import Core
import Testing
@testable import BankFormats

/// Each tolerance on a hand-written file: read with a warning naming its line, refused with `strict`.
@Suite("MT940 tolerances")
struct StatementMT940ToleranceTests {
    /// Parses `text` twice: tolerant (must succeed with exactly `tolerances`), strict (must fail on `strictLine`).
    static func tolerated(_ text: String, _ tolerances: [StatementTolerance], strictLine: Int,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> StatementRecorder {
        let recorder = try StatementFixtures.parse(text, format: .mt940)
        #expect(recorder.warnings.map(\.tolerance) == tolerances, sourceLocation: sourceLocation)
        let error = StatementFixtures.parseError(text, format: .mt940, strict: true)
        #expect(error?.line == strictLine, "\(error?.description ?? "no error")", sourceLocation: sourceLocation)
        #expect(error?.message.contains("strict") == true || error?.message.contains("outside any") == true,
                "\(error?.description ?? "no error")", sourceLocation: sourceLocation)
        return recorder
    }

    static func statement(_ field61: String, extra: String = "", closing: String = "C240131VND1010,") -> String {
        ":20:REF1\n:25:ACC1\n:28C:7/2\n:60F:C240101VND1000,00\n:61:\(field61)\n" + extra + ":62F:\(closing)\n"
    }

    @Test("ABN AMRO header lines before each message's :20:, messages ended by '-' and by the next header")
    func abnAmroHeaders() throws {
        let text = """
        ABNANL2A
        940
        ABNANL2A
        :20:ABN AMRO BANK NV
        :25:517852257
        :28:19321/1
        :60F:C110522EUR3236,28
        :61:1105240524D9,N192NONREF
        :86:GIRO  428428 KPN - DIGITENNE
        :62F:C110524EUR3227,28
        -
        ABNANL2A
        940
        ABNANL2A
        :20:ABN AMRO BANK NV
        :25:517852257
        :28:19322/1
        :60F:C110524EUR3227,28
        :62F:C110525EUR3227,28
        ABNANL2A
        940
        ABNANL2A
        :20:ABN AMRO BANK NV
        :25:517852257
        :28:19323/1
        :60F:C110525EUR3227,28
        :62F:C110526EUR3227,28

        """
        let recorder = try Self.tolerated(text, Array(repeating: .headerLine, count: 9), strictLine: 1)
        #expect(recorder.ended.count == 3)
        #expect(recorder.ended[0].number == "19321" && recorder.ended[0].sequence == "1")
        #expect(recorder.lines[0].amount == .of("-9", "EUR"))
        #expect(recorder.warnings.map(\.line) == [1, 2, 3, 12, 13, 14, 20, 21, 22])
        #expect(recorder.warnings[0].message.contains("'ABNANL2A'"))
        #expect(recorder.ended.allSatisfy { StatementBalanceCheck.check($0).isBalanced })
        let detected = try StatementFormatDetector.detect(prefix: Array(text.utf8), descriptions: StatementFixtures.catalog, file: "t")
        #expect(detected == .mt940)
    }

    @Test("Rabobank's :940: line before :20:")
    func rabobankHeader() throws {
        let text = ":940:\n:20:940\n:25:NL50RABO0123456789\n:28C:0\n:60F:C240101VND0,\n:62F:C240101VND0,\n"
        let recorder = try Self.tolerated(text, [.headerLine], strictLine: 1)
        #expect(recorder.ended.first?.account == "NL50RABO0123456789")
        #expect(try StatementFormatDetector.detect(prefix: Array(text.utf8), descriptions: StatementFixtures.catalog, file: "t") == .mt940)
    }

    @Test("SWIFT envelopes, several messages per file, :28: accepted as before (no warning)")
    func envelopes() throws {
        let text = """
        {1:F01VBAAVNVXAXXX0000000000}{2:O9401200240102BANKVNVXAXXX00000000002401021200N}{3:{108:MT940}}{4:
        :20:S1
        :25:0011001234567
        :28:1
        :60F:C240101VND100,
        :61:240102C50,NTRFNONREF//FT1
        :62F:C240102VND150,
        -}{5:{CHK:0123456789AB}}
        {1:F01VBAAVNVXAXXX0000000000}{2:O9401200240103BANKVNVXAXXX00000000002401031200N}{4:
        :20:S2
        :25:0011001234567
        :28:2
        :60F:C240102VND150,
        :62F:C240103VND150,
        -}{5:{CHK:0123456789AC}}
        """
        let recorder = try StatementFixtures.parse(text, format: .mt940)
        #expect(recorder.warnings.isEmpty)
        #expect(recorder.ended.map(\.statementID) == ["S1", "S2"])
        #expect(try StatementFixtures.parse(text, format: .mt940, strict: true).ended.count == 2)
    }

    @Test(":NS: and unknown fields are skipped with their continuation lines")
    func nonStandardFields() throws {
        let text = ":20:R\n:25:A\n:28C:1\n:60F:C240101VND0,\n:61:240102C10,NTRFNONREF\n:86:HOC PHI\n:NS:22LOREM\n23IPSUM\n:99:BANK OWN\n:62F:C240102VND10,\n"
        let recorder = try Self.tolerated(text, [.nonStandardField, .nonStandardField], strictLine: 7)
        #expect(recorder.lines.first?.memo == "HOC PHI")
        #expect(recorder.warnings.map(\.field) == [":NS:", ":99:"])
        #expect(recorder.warnings.map(\.line) == [7, 9])
    }

    @Test(":61: without customer reference, and with an empty bank reference")
    func missingReferences() throws {
        let none = try Self.tolerated(Self.statement("240102C10,NTRF"), [.missingReference], strictLine: 5)
        #expect(none.lines[0].customerReference == nil && none.lines[0].amount == .of("10"))
        let onlyBank = try Self.tolerated(Self.statement("240102C10,NTRF//FT2401020001"), [.missingReference], strictLine: 5)
        #expect(onlyBank.lines[0].customerReference == nil && onlyBank.lines[0].bankReference == "FT2401020001")
        let emptyBank = try Self.tolerated(Self.statement("240102C10,NTRFNONREF//"), [.missingReference], strictLine: 5)
        #expect(emptyBank.lines[0].bankReference == nil)
        #expect(emptyBank.warnings[0].field == ":61:" && emptyBank.warnings[0].line == 5)
    }

    @Test("references longer than 16 characters are kept whole")
    func longReferences() throws {
        let text = Self.statement("240102C10,NTRFHP7K2Q9X-HOCPHI-THANG9//FT24010200001234567")
        let recorder = try Self.tolerated(text, [.longReference, .longReference], strictLine: 5)
        #expect(recorder.lines[0].customerReference == "HP7K2Q9X-HOCPHI-THANG9")
        #expect(recorder.lines[0].bankReference == "FT24010200001234567")
    }

    @Test("amounts longer than 15 characters are read exactly, in lines and balances, within the money bounds")
    func longAmounts() throws {
        let text = ":20:R\n:25:A\n:28C:1\n:60F:C240101VND000000000001000,00\n:61:240102C0000000000000010,00NTRFNONREF\n:62F:C240102VND1010,\n"
        let recorder = try Self.tolerated(text, [.longAmount, .longAmount], strictLine: 4)
        #expect(recorder.lines[0].amount == .of("10"))
        #expect(recorder.ended[0].openingBalance?.amount == .of("1000"))
        #expect(recorder.warnings.map(\.field) == [":60F:", ":61:"])
        // Past the digits an amount may carry: still refused, tolerant or not.
        let huge = Self.statement("240102C1234567890123456789,NTRFNONREF")
        let error = StatementFixtures.parseError(huge, format: .mt940)
        #expect(error?.line == 5 && error?.field == ":61:", "\(error?.description ?? "no error")")
    }

    @Test("a space between the mark and the amount")
    func blankBeforeAmount() throws {
        let recorder = try Self.tolerated(Self.statement("2401020102D 10,NTRFNONREF", closing: "C240131VND990,"),
                                          [.blankBeforeAmount], strictLine: 5)
        #expect(recorder.lines[0].amount == .of("-10"))
    }

    @Test("30 February: value date left empty and named in the warning; booked on the entry date, else the month's end")
    func impossibleValueDate() throws {
        let withEntry = try Self.tolerated(Self.statement("2402300301C10,NTRFNONREF"), [.invalidValueDate], strictLine: 5)
        #expect(withEntry.lines[0].valueDate == nil)
        #expect(withEntry.lines[0].bookingDate == (try CalendarDate(year: 2024, month: 3, day: 1)))
        #expect(withEntry.warnings[0].message.contains("'240230'"))
        let withoutEntry = try Self.tolerated(Self.statement("230230C10,NTRFNONREF"), [.invalidValueDate], strictLine: 5)
        #expect(withoutEntry.lines[0].bookingDate == (try CalendarDate(year: 2023, month: 2, day: 28)))
        #expect(withoutEntry.warnings[0].message.contains("2023-02-28"))
        let withOthers = try Self.tolerated(Self.statement("230230C 10,NTRF"), [.invalidValueDate, .blankBeforeAmount, .missingReference],
                                            strictLine: 5)
        #expect(withOthers.warnings[0].message.contains("2023-02-28") && !withOthers.warnings[2].message.contains("2023-02-28"))
        // A month 13 or a day 32 is no date at all.
        for bad in ["241302C10,NTRFNONREF", "240132C10,NTRFNONREF"] {
            #expect(StatementFixtures.parseError(Self.statement(bad), format: .mt940)?.message.contains("value date") == true)
        }
    }

    @Test("supplementary details longer than 34 characters are kept whole")
    func longDetails() throws {
        let details = String(repeating: "D", count: 50)
        let recorder = try Self.tolerated(Self.statement("240102C10,NTRFNONREF\n\(details)"), [.longDetails], strictLine: 5)
        #expect(recorder.lines[0].supplementaryDetails == details)
    }

    @Test("what would change an amount or a sign is refused tolerant or not")
    func neverTolerated() {
        for field in ["240102X10,NTRFNONREF", "240102 10,NTRFNONREF", "240102C1,0,0NTRFNONREF", "240102C10NTRFNONREF",
                      "240102C10,XTRFNONREF", "240102R10,NTRFNONREF"] {
            let error = StatementFixtures.parseError(Self.statement(field), format: .mt940)
            #expect(error?.line == 5 && error?.field == ":61:", "\(field): \(error?.description ?? "no error")")
        }
        // Text after a statement's last balance is the next message's header; inside a statement it is not.
        let stray = ":20:R\n:25:A\n:60F:C240101VND0,\n:62F:C240101VND0,\n:64:C240101VND0,\nHELLO\n:20:S\n:60F:C240101VND0,\n:62F:C240101VND0,\n"
        #expect(StatementFixtures.parseError(stray, format: .mt940) == nil)
        let inside = ":20:R\n:25:A\n:60F:C240101VND0,\nHELLO\n:62F:C240101VND0,\n"
        #expect(StatementFixtures.parseError(inside, format: .mt940)?.field == ":60F:")
    }

    @Test("warnings reach the JSON output and the summary count")
    func warningsInOutput() throws {
        var output = ""
        var writer = StatementJSONWriter(format: "mt940") { output += $0 }
        try StatementParsing.parse(bytes: Array(Self.statement("240102C10,NTRF").utf8), name: "t", format: .mt940,
                                   descriptions: StatementFixtures.catalog, consumer: &writer)
        try writer.finish()
        #expect(output.contains(#"{"tolerance":"missing_reference","line":5,"field":":61:","message":"has no customer reference"#))
        #expect(output.contains(#""warnings":1}"#))
    }
}
