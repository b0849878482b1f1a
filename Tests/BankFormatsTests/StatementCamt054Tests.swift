import Core
import Testing
@testable import BankFormats

@Suite("camt.054")
struct StatementCamt054Tests {
    /// A hand-written notification: one credit paid into a virtual account, with a structured reference.
    static func notification(version: String, status: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <n:Document xmlns:n="urn:iso:std:iso:20022:tech:xsd:camt.054.001.\(version)">
          <n:BkToCstmrDbtCdtNtfctn>
            <n:GrpHdr><n:MsgId>N1</n:MsgId></n:GrpHdr>
            <n:Ntfctn>
              <n:Id>NTF-1</n:Id>
              <n:Acct><n:Id><n:Othr><n:Id>0011001234567</n:Id></n:Othr></n:Id></n:Acct>
              <n:Ntry>
                <n:Amt Ccy="VND">1500000</n:Amt><n:CdtDbtInd>CRDT</n:CdtDbtInd>\(status)
                <n:BookgDt><n:Dt>2026-09-16</n:Dt></n:BookgDt>
                <n:AcctSvcrRef>VCB-77</n:AcctSvcrRef>
                <n:NtryDtls><n:TxDtls>
                  <n:RltdPties><n:DbtrAcct><n:Id><n:Othr><n:Id>0123</n:Id></n:Othr></n:Id></n:DbtrAcct>
                    <n:CdtrAcct><n:Id><n:Othr><n:Id>V2MSHS003</n:Id></n:Othr></n:Id></n:CdtrAcct></n:RltdPties>
                  <n:RmtInf><n:Strd><n:CdtrRefInf><n:Ref>HP7K2Q9X</n:Ref></n:CdtrRefInf></n:Strd></n:RmtInf>
                </n:TxDtls></n:NtryDtls>
              </n:Ntry>
            </n:Ntfctn>
          </n:BkToCstmrDbtCdtNtfctn>
        </n:Document>
        """
    }

    @Test("versions .02 and .08 are detected as camt.054 and read like camt.053 entries, with CdtrAcct and Strd references",
          arguments: [("02", "<n:Sts>BOOK</n:Sts>"), ("08", "<n:Sts><n:Cd>BOOK</n:Cd></n:Sts>")])
    func readsNotification(version: String, status: String) throws {
        let bytes = Array(Self.notification(version: version, status: status).utf8)
        #expect(try StatementParsing.resolveFormat(bytes: bytes, name: "n.xml", format: .auto, descriptions: StatementFixtures.catalog) == .camt054)
        let recorder = try StatementFixtures.parse(bytes: bytes, format: .camt054)
        #expect(recorder.ended.count == 1 && recorder.ended[0].account == "0011001234567")
        let line = try #require(recorder.lines.first)
        #expect(recorder.lines.count == 1 && line.amount.decimalText == "1500000" && line.status == "BOOK")
        #expect(line.bankReference == "VCB-77" && line.creditorAccount == "V2MSHS003" && line.creditorReferences == ["HP7K2Q9X"])
        #expect(line.memo == "HP7K2Q9X" && line.counterpartyAccount == "0123")
        #expect(line.position.xmlPath == "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]")
    }

    @Test("a notification read as a statement, or a statement as a notification, is refused naming both")
    func formatMismatch() {
        let text = Self.notification(version: "08", status: "")
        #expect(StatementFixtures.parseError(text, format: .camt053)?.message.contains("camt.054 notification") == true)
        let statement = StatementCamtTests.document(StatementCamtTests.statement(""))
        #expect(StatementFixtures.parseError(statement, format: .camt054)?.message.contains("camt.053 statement") == true)
        #expect(StatementFixtures.parseError("<Document><BkToCstmrDbtCdtNtfctn/></Document>", format: .camt054)?.message
            .contains("no Ntfctn") == true)
    }

    @Test("a debit credit indicator that is neither CRDT nor DBIT refuses the notification with its line")
    func badIndicator() throws {
        let text = Self.notification(version: "08", status: "").replacingOccurrences(of: ">CRDT<", with: ">CR<")
        let error = try #require(StatementFixtures.parseError(text, format: .camt054))
        #expect(error.line == 9 && error.kind == .syntax)
    }

    @Test("MT942: detected from its SWIFT header or a floor limit without opening balance; lines without balances")
    func mt942() throws {
        let body = ":20:I1\n:25:0011001234567\n:28C:1/1\n:34F:VNDD0,\n:13D:2609161200+0700\n"
            + ":61:2609160916C500000,00NTRFNONREF//R1\n:86:HOC PHI\n:90C:1VND500000,00\n"
        for text in [body, "{1:F01BIDVVNVXAXXX0000000000}{2:O9421200260916BIDVVNVXAXXX00000000002609161200N}{4:\n" + body + "-}\n"] {
            let bytes = Array(text.utf8)
            #expect(try StatementParsing.resolveFormat(bytes: bytes, name: "i.sta", format: .auto, descriptions: StatementFixtures.catalog) == .mt942)
            let recorder = try StatementFixtures.parse(bytes: bytes, format: .mt942)
            #expect(recorder.lines.count == 1 && recorder.lines[0].bankReference == "R1" && recorder.lines[0].amount.currency == "VND")
            #expect(recorder.ended.count == 1 && recorder.ended[0].balances.isEmpty)
        }
        // Read as MT940, the same report lacks its balances.
        #expect(StatementFixtures.parseError(body, format: .mt940) != nil)
        #expect(StatementFixtures.parseError(body.replacingOccurrences(of: ":34F:VNDD0,", with: ":34F:V1D0,"), format: .mt942)?.field == ":34F:")
    }
}
