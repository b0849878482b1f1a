import Core
import Testing
@testable import BankFormats

@Suite("camt.053")
struct StatementCamtTests {
    static func document(_ statements: String, namespace: String = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="\(namespace)"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>
        \(statements)
        </BkToCstmrStmt></Document>
        """
    }

    static func balance(_ code: String, _ amount: String, _ indicator: String = "CRDT", currency: String = "EUR") -> String {
        "<Bal><Tp><CdOrPrtry><Cd>\(code)</Cd></CdOrPrtry></Tp><Amt Ccy=\"\(currency)\">\(amount)</Amt><CdtDbtInd>\(indicator)</CdtDbtInd><Dt><Dt>2024-01-02</Dt></Dt></Bal>"
    }

    static func statement(_ entries: String, opening: String = "100.00", closing: String = "100.00") -> String {
        "<Stmt><Id>S1</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + balance("OPBD", opening) + balance("CLBD", closing) + entries + "</Stmt>"
    }

    static func entry(_ amount: String, _ indicator: String, extra: String = "", details: String = "") -> String {
        "<Ntry><Amt Ccy=\"EUR\">\(amount)</Amt><CdtDbtInd>\(indicator)</CdtDbtInd>\(extra)<BookgDt><Dt>2024-01-02</Dt></BookgDt>"
            + "<AcctSvcrRef>E-\(amount)</AcctSvcrRef><NtryDtls>\(details)</NtryDtls></Ntry>"
    }

    @Test("version .02 forms: <Sts>BOOK</Sts>, <Dbtr><Nm>; version .08 forms: <Sts><Cd>, <Dbtr><Pty><Nm>")
    func versionForms() throws {
        let v02 = Self.entry("10.00", "CRDT", extra: "<Sts>BOOK</Sts>",
                             details: "<TxDtls><RltdPties><Dbtr><Nm>AN</Nm></Dbtr><DbtrAcct><Id><Othr><Id>123</Id></Othr></Id></DbtrAcct></RltdPties></TxDtls>")
        let v08 = Self.entry("5.00", "DBIT", extra: "<Sts><Cd>BOOK</Cd></Sts>",
                             details: "<TxDtls><RltdPties><Cdtr><Pty><Nm>BINH</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>DE1</IBAN></Id></CdtrAcct></RltdPties></TxDtls>")
        let text = Self.document(Self.statement(v02 + v08, closing: "105.00"), namespace: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02")
        let recorder = try StatementFixtures.parse(text, format: .camt053)
        #expect(recorder.lines.map(\.status) == ["BOOK", "BOOK"])
        #expect(recorder.lines[0].counterpartyName == "AN" && recorder.lines[0].counterpartyAccount == "123")
        #expect(recorder.lines[1].counterpartyName == "BINH" && recorder.lines[1].counterpartyAccount == "DE1")
        #expect(recorder.lines.map(\.amount) == [.of("10", "EUR"), .of("-5", "EUR")])
        #expect(StatementBalanceCheck.check(recorder.ended[0]).isBalanced)
    }

    @Test("namespace-agnostic: a prefix, another namespace, or none at all")
    func namespaces() throws {
        let body = Self.statement(Self.entry("1.00", "CRDT"), closing: "101.00")
        let prefixed = Self.document(body).replacingOccurrences(of: "<Document xmlns=", with: "<p:Document xmlns:p=")
            .replacingOccurrences(of: "</Document>", with: "</p:Document>")
        let unqualified = Self.document(body).replacingOccurrences(of: " xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"", with: "")
        for text in [prefixed, unqualified, Self.document(body, namespace: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04")] {
            let recorder = try StatementFixtures.parse(text, format: .camt053)
            #expect(recorder.lines.count == 1 && recorder.ended[0].account == "NL91ABNA0417164300")
        }
    }

    @Test("several TxDtls with amounts: one line each, entry reference kept, amounts must add up")
    func splitEntry() throws {
        let details = """
        <TxDtls><Refs><AcctSvcrRef>T1</AcctSvcrRef><EndToEndId>E1</EndToEndId></Refs><Amt Ccy="EUR">3.00</Amt><RmtInf><Ustrd>ONE</Ustrd></RmtInf></TxDtls>
        <TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">7.00</Amt></TxAmt></AmtDtls><RmtInf><Ustrd>TWO</Ustrd></RmtInf></TxDtls>
        """
        let text = Self.document(Self.statement(Self.entry("10.00", "CRDT", details: details), closing: "110.00"))
        let lines = try StatementFixtures.parse(text, format: .camt053).lines
        #expect(lines.map(\.amount) == [.of("3", "EUR"), .of("7", "EUR")])
        #expect(lines.map(\.detailIndex) == [1, 2])
        #expect(lines.map(\.bankReference) == ["T1", "E-10.00"])
        #expect(lines.map(\.entryReference) == ["E-10.00", "E-10.00"])
        #expect(lines.map(\.customerReference) == ["E1", "E2"])
        #expect(lines.map(\.memo) == ["ONE", "TWO"])
        #expect(lines[1].position.xmlPath == "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[2]")

        let wrong = Self.document(Self.statement(Self.entry("11.00", "CRDT", details: details), closing: "111.00"))
        let error = StatementFixtures.parseError(wrong, format: .camt053)
        #expect(error?.xmlPath == "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]")
        #expect(error?.message.contains("add up to 10") == true)
    }

    @Test("several TxDtls without amounts: the entry is one line with the memos joined")
    func unsplitEntry() throws {
        let details = "<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId><TxId>X1</TxId></Refs><RmtInf><Ustrd>A</Ustrd></RmtInf></TxDtls>"
            + "<TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs><RmtInf><Strd><CdtrRefInf><Ref>RF18</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"
        let text = Self.document(Self.statement(Self.entry("10.00", "DBIT", details: details), closing: "90.00"))
        let lines = try StatementFixtures.parse(text, format: .camt053).lines
        #expect(lines.count == 1)
        #expect(lines[0].amount == .of("-10", "EUR"))
        #expect(lines[0].memo == "A RF18")
        #expect(lines[0].customerReference == "E2")
        #expect(lines[0].transactionID == "X1")
        #expect(lines[0].detailIndex == nil)
        #expect(lines[0].bankReference == "E-10.00")
    }

    @Test("reversal indicator, repeated Ustrd joined, DtTm dates, bank transaction codes")
    func entryFields() throws {
        let extra = "<RvslInd>true</RvslInd><Sts><Cd>BOOK</Cd></Sts><ValDt><DtTm>2024-01-03T08:00:00+07:00</DtTm></ValDt>"
            + "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        let full = String(repeating: "X", count: 140)
        let details = "<TxDtls><RmtInf><Ustrd>\(full)</Ustrd><Ustrd>CONTINUED</Ustrd><Ustrd>NEXT</Ustrd></RmtInf></TxDtls>"
        let text = Self.document(Self.statement(Self.entry("2.50", "DBIT", extra: extra, details: details), closing: "97.50"))
        let line = try StatementFixtures.parse(text, format: .camt053).lines[0]
        #expect(line.isReversal)
        #expect(line.amount == .of("-2.5", "EUR"))
        #expect(line.valueDate == (try CalendarDate(year: 2024, month: 1, day: 3)))
        #expect(line.transactionTypeCode == "PMNT/RCDT/ESCT")
        #expect(line.memo == full + "CONTINUED NEXT")
    }

    @Test("pending entries are delivered but left out of the booked totals")
    func pendingEntries() throws {
        let pending = Self.entry("50.00", "CRDT", extra: "<Sts><Cd>PDNG</Cd></Sts>")
        let booked = Self.entry("1.00", "CRDT", extra: "<Sts><Cd>BOOK</Cd></Sts>")
        let recorder = try StatementFixtures.parse(Self.document(Self.statement(pending + booked, closing: "101.00")), format: .camt053)
        #expect(recorder.lines.count == 2)
        #expect(recorder.ended[0].totals.credits == .of("1", "EUR"))
        #expect(recorder.ended[0].totals.unbookedLineCount == 1)
        #expect(StatementBalanceCheck.check(recorder.ended[0]).isBalanced)
    }

    @Test("several statements, the empty one included, with their indexes in paths")
    func severalStatements() throws {
        let second = "<Stmt><Id>S2</Id><ElctrncSeqNb>9</ElctrncSeqNb><LglSeqNb>3</LglSeqNb><Acct><Id><Othr><Id>77</Id></Othr></Id></Acct>"
            + Self.balance("PRCD", "5", currency: "VND") + Self.balance("CLBD", "5", currency: "VND") + "</Stmt>"
        let recorder = try StatementFixtures.parse(Self.document(Self.statement(Self.entry("1.00", "CRDT"), closing: "101.00") + second), format: .camt053)
        #expect(recorder.events == [.began(0), .line(0), .ended(0), .began(1), .ended(1)])
        #expect(recorder.ended[1].account == "77" && recorder.ended[1].currency == "VND")
        #expect(recorder.ended[1].number == "9" && recorder.ended[1].sequence == "3")
        #expect(recorder.ended[1].openingBalance?.kind == .previouslyClosed)
        #expect(recorder.ended[1].position.xmlPath == "Document/BkToCstmrStmt/Stmt[2]")
    }

    @Test("errors name the XML path and line")
    func errorPaths() {
        let entries = Self.entry("1.00", "CRDT") + Self.entry("1,00", "CRDT")
        let text = Self.document(Self.statement("", closing: "100.00") + Self.statement(entries, closing: "102.00"))
        let error = StatementFixtures.parseError(text, format: .camt053)
        #expect(error?.xmlPath == "Document/BkToCstmrStmt/Stmt[2]/Ntry[2]/Amt")
        #expect(error?.line == 3)
        #expect(error?.description.contains("Stmt[2]/Ntry[2]/Amt") == true)
        let cases: [(String, String)] = [
            (Self.entry("1.00", "CRDX"), "CRDT or DBIT"),
            ("<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>", "no Ccy"),
            ("<Ntry><Amt Ccy=\"EUR\">-1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>", "negative"),
            ("<Ntry><Amt Ccy=\"EUR\">1.00</Amt></Ntry>", "no credit/debit"),
            ("<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry>", "not a date"),
            ("<Ntry><Amt Ccy=\"VND\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>", "statement is in EUR"),
        ]
        for (entry, message) in cases {
            let error = StatementFixtures.parseError(Self.document(Self.statement(entry)), format: .camt053)
            #expect(error?.message.contains(message) == true, "\(entry): \(error?.description ?? "no error")")
            #expect(error?.xmlPath?.hasPrefix("Document/BkToCstmrStmt/Stmt[1]/Ntry[1]") == true, "\(entry)")
        }
    }

    @Test("documents that are not camt.053 are refused")
    func notCamt() {
        #expect(StatementFixtures.parseError("<Document><BkToCstmrAcctRpt/></Document>", format: .camt053)?.kind == .format)
        #expect(StatementFixtures.parseError("<Invoice/>", format: .camt053)?.kind == .format)
        #expect(StatementFixtures.parseError("<Document><BkToCstmrStmt/></Document>", format: .camt053)?.message.contains("no Stmt") == true)
    }
}

@Suite("XML tokenizer")
struct StatementXMLTokenizerTests {
    static func tokens(_ text: String) throws -> [String] {
        let input = ChunkedInput(source: try MemoryByteSource(bytes: Array(text.utf8), name: "t.xml"), file: "t.xml")
        var tokenizer = XMLTokenizer(input: input, indexedNames: ["B"])
        var output: [String] = []
        while true {
            switch try tokenizer.next() {
            case .startElement:
                let attributes = tokenizer.attributes.map { " \($0.localName)=\($0.value)" }.joined()
                output.append("<\(tokenizer.localName)\(attributes)>@\(tokenizer.eventLine)")
            case .endElement: output.append("</\(tokenizer.localName)>")
            case .text: output.append(String(decoding: tokenizer.text, as: UTF8.self))
            case .endOfDocument: return output
            }
        }
    }

    static func error(_ text: String) -> StatementParseError? {
        do {
            _ = try tokens(text)
            return nil
        } catch let error as StatementParseError {
            return error
        } catch {
            preconditionFailure("\(error)")
        }
    }

    @Test("entities, character references, CDATA, comments, processing instructions, self-closing tags, attributes")
    func tokens() throws {
        let text = "\u{FEFF}<?xml version='1.0'?>\n<!-- c --><a:R xmlns:a='u' k=\"1 &lt; 2\"><?pi x?>x &amp; &#65;&#x42;&#x1F600;<![CDATA[<raw>&amp;]]><e/>\n<f g='&apos;'/></a:R>\n"
        #expect(try Self.tokens(text) == ["<R k=1 < 2>@2", "x & AB😀", "<raw>&amp;", "<e>@2", "</e>", "\n", "<f g='>@3", "</f>", "</R>"])
    }

    @Test("refuses DOCTYPE, mismatched and unclosed tags, bad references, two roots, stray text, bad UTF-8")
    func refusals() {
        let cases: [(String, String)] = [
            ("<!DOCTYPE r [<!ENTITY x 'y'>]><r>&x;</r>", "DOCTYPE"),
            ("<r><a></b></r>", "does not match"),
            ("<r><a>", "ends before </a>"),
            ("<r>&x;</r>", "unknown or invalid reference"),
            ("<r>&#0;</r>", "unknown or invalid reference"),
            ("<r>&#xD800;</r>", "unknown or invalid reference"),
            ("<r>a & b</r>", "does not start a reference"),
            ("<r/><s/>", "second root"),
            ("text<r/>", "outside the root"),
            ("<r a=1/>", "unquoted"),
            ("<r a='1' a='2'/>", "twice"),
            ("<r a='1'b='2'/>", "separated"),
            ("<?xml version='1.0' encoding='ISO-8859-1'?><r/>", "only UTF-8"),
            (" <?xml version='1.0'?><r/>", "very start"),
            ("<r><!-- never closed", "inside a comment"),
        ]
        for (text, message) in cases {
            let error = Self.error(text)
            #expect(error != nil, "\(text)")
            #expect(error?.message.contains(message) == true, "\(text): \(error?.description ?? "")")
        }
        var invalidUTF8 = Array("<r>".utf8)
        invalidUTF8 += [0xC3, 0x28]
        invalidUTF8 += Array("</r>".utf8)
        let input = ChunkedInput(source: try! MemoryByteSource(bytes: invalidUTF8, name: "t"), file: "t")
        var tokenizer = XMLTokenizer(input: input, indexedNames: [])
        #expect(throws: StatementParseError(.encoding, file: "t", line: 1, xmlPath: "r", message: "character data is not valid UTF-8")) { while try tokenizer.next() != .endOfDocument {} }
    }

    @Test("depth and token size are bounded")
    func limits() {
        let deep = String(repeating: "<a>", count: StatementLimits.xmlDepthMax + 1) + String(repeating: "</a>", count: StatementLimits.xmlDepthMax + 1)
        #expect(Self.error(deep)?.kind == .limit)
        let longText = "<r>" + String(repeating: "x", count: StatementLimits.xmlTokenBytesMax + 10) + "</r>"
        #expect(Self.error(longText)?.kind == .limit)
        let longTag = "<r " + String(repeating: "a", count: StatementLimits.xmlTokenBytesMax + 10) + "='1'/>"
        #expect(Self.error(longTag)?.kind == .limit)
    }

    @Test("paths index repeatable elements among their siblings")
    func paths() throws {
        let text = "<R><B/><C><B/></C><B><D>1.0x</D></B></R>"
        let input = ChunkedInput(source: try MemoryByteSource(bytes: Array(text.utf8), name: "t"), file: "t")
        var tokenizer = XMLTokenizer(input: input, indexedNames: ["B"])
        var pathAtD = ""
        while try tokenizer.next() != .endOfDocument {
            if tokenizer.depth == 3, tokenizer.localName == "D" { pathAtD = tokenizer.path() }
        }
        #expect(pathAtD == "R/B[2]/D")
    }
}

@Suite("camt.053 currencies")
struct StatementCamtCurrencyTests {
    @Test("a statement without Acct/Ccy or balances takes its first entry's currency; a later one in another is refused")
    func currencyFromFirstEntry() throws {
        let entries = StatementCamtTests.entry("1.00", "CRDT").replacingOccurrences(of: "EUR", with: "USD")
            + StatementCamtTests.entry("2.00", "CRDT")
        let text = StatementCamtTests.document("<Stmt><Id>S</Id>" + entries + "</Stmt>")
        let error = StatementFixtures.parseError(text, format: .camt053)
        #expect(error?.message == "the line is in EUR but the statement is in USD")
        #expect(error?.xmlPath == "Document/BkToCstmrStmt/Stmt[1]/Ntry[2]")
        let single = StatementCamtTests.document("<Stmt><Id>S</Id>" + StatementCamtTests.entry("2.00", "CRDT") + "</Stmt>")
        let recorder = try StatementFixtures.parse(single, format: .camt053)
        #expect(recorder.ended[0].currency == "EUR")
        #expect(StatementBalanceCheck.check(recorder.ended[0]).outcome == .notCheckable(reason: "no opening balance"))
    }
}
