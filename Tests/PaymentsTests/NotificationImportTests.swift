import BankFormats
import Billing
import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Testing
import TestSupport

/// camt.054 notifications are provisional money like callbacks: recorded once on the bank's entry
/// reference, applied at once, and confirmed (never booked again) by the statement line of the same money.
@Suite struct NotificationImportTests {
    /// A hand-written camt.054.001.08 notification of one credit into the fixture's account.
    static func notification08(reference: String, amount: Int64, memo: String, date: String = "2026-09-16",
                               account: String = StatementFixture.account, creditorAccount: String? = nil) -> String {
        let creditor = creditorAccount.map { "<CdtrAcct><Id><Othr><Id>\($0)</Id></Othr></Id></CdtrAcct>" } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
              <BkToCstmrDbtCdtNtfctn>
                <GrpHdr><MsgId>NTF-\(reference)</MsgId><CreDtTm>\(date)T10:15:00+07:00</CreDtTm></GrpHdr>
                <Ntfctn>
                  <Id>NTF-\(reference)</Id>
                  <Acct><Id><Othr><Id>\(account)</Id></Othr></Id><Ccy>VND</Ccy></Acct>
                  <Ntry>
                    <Amt Ccy="VND">\(amount)</Amt>
                    <CdtDbtInd>CRDT</CdtDbtInd>
                    <Sts><Cd>BOOK</Cd></Sts>
                    <BookgDt><Dt>\(date)</Dt></BookgDt>
                    <ValDt><Dt>\(date)</Dt></ValDt>
                    <AcctSvcrRef>\(reference)</AcctSvcrRef>
                    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
                    <NtryDtls><TxDtls>
                      <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
                      <RltdPties><Dbtr><Pty><Nm>NGUYEN VAN BINH</Nm></Pty></Dbtr>\(creditor)</RltdPties>
                      <RmtInf><Ustrd>\(memo)</Ustrd></RmtInf>
                    </TxDtls></NtryDtls>
                  </Ntry>
                </Ntfctn>
              </BkToCstmrDbtCdtNtfctn>
            </Document>

            """
    }

    /// A hand-written camt.054.001.02 notification (the older spelling: `Sts` as text, `Dbtr/Nm`)
    /// without namespace prefix games: two credits in two entries.
    static func notification02(_ entries: [(reference: String, amount: Int64, memo: String)], date: String = "2026-09-16") -> String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
            <BkToCstmrDbtCdtNtfctn>
            <GrpHdr><MsgId>NTF-02</MsgId><CreDtTm>\(date)T10:15:00+07:00</CreDtTm></GrpHdr>
            <Ntfctn><Id>NTF-02</Id><Acct><Id><Othr><Id>\(StatementFixture.account)</Id></Othr></Id></Acct>

            """
        for entry in entries {
            text += """
                <Ntry><Amt Ccy="VND">\(entry.amount)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>\(date)</Dt></BookgDt><AcctSvcrRef>\(entry.reference)</AcctSvcrRef>
                <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>NGUYEN VAN AN</Nm></Dbtr></RltdPties>
                <RmtInf><Ustrd>\(entry.memo)</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>

                """
        }
        return text + "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    }

    func bookings(_ fixture: StatementFixture) throws -> Int64 {
        try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'")
    }

    @Test func aNotificationIsRecordedOnceAsProvisionalMoneyAndApplied() throws {
        let fixture = try StatementFixture()
        let text = Self.notification08(reference: "VCB2609160001", amount: 500_000, memo: "\(fixture.code(fixture.an)) NGUYEN VAN AN HOC PHI")
        let result = try fixture.run(text, name: "notification.xml")
        #expect(result.format == "camt054")
        #expect(result.counts.linesTotal == 1 && result.counts.linesNew == 1 && result.counts.appliedAutomatically == 1)
        #expect(try fixture.invoice(fixture.an).status == .paid)
        let id = try fixture.count("SELECT bank_transaction_id FROM bank_transactions")
        let transaction = try fixture.transaction(id)
        #expect(!transaction.isConfirmed && transaction.origin == "callback" && transaction.provider == "camt054")
        #expect(transaction.bankReference == "VCB2609160001")
        // The same notification again (a resend, the file imported twice) records nothing more.
        let again = try fixture.run(text, name: "notification.xml")
        #expect(again.counts.linesKnown == 1 && again.counts.linesNew == 0 && again.counts.appliedAutomatically == 0)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 1)
        #expect(try bookings(fixture) == 1 && fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try fixture.bankBalance() == Money(dong: 500_000))
        #expect(try fixture.verify().isEmpty)
    }

    @Test func theStatementLineConfirmsTheNotificationWithoutBookingItAgain() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.binh)) NGUYEN THI BINH"
        let notified = try fixture.run(Self.notification02([("BIDV-5501", 500_000, memo), ("BIDV-5502", 70_000, "UNG HO")]),
                                       name: "ntf.xml")
        #expect(notified.counts.linesNew == 2 && notified.counts.appliedAutomatically == 1)
        #expect(try bookings(fixture) == 2 && fixture.bankBalance() == Money(dong: 570_000))
        var statement = CamtStatement()
        statement.entries = [.init(date: "2026-09-16", amount: 500_000, memo: memo, reference: "BIDV-5501"),
                             .init(date: "2026-09-16", amount: 70_000, memo: "UNG HO", reference: "BIDV-5502"),
                             .init(date: "2026-09-17", amount: 90_000, memo: "KHAC", reference: "BIDV-5503")]
        let result = try fixture.run(statement.text, name: "stmt.xml")
        #expect(result.counts.callbacksConfirmed == 2 && result.counts.linesNew == 1)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE status = 'provisional'") == 0)
        #expect(try bookings(fixture) == 3, "two notifications and the one new line; none for the confirmations")
        #expect(try fixture.bankBalance() == Money(dong: 660_000))
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 1)
        // Neither the statement nor the notification imported again changes anything.
        #expect(try fixture.run(statement.text, name: "stmt.xml").counts.linesKnown == 3)
        let late = try fixture.run(Self.notification02([("BIDV-5501", 500_000, memo), ("BIDV-5502", 70_000, "UNG HO")]), name: "ntf.xml")
        #expect(late.counts.linesKnown == 2 && late.counts.linesNew == 0)
        #expect(try bookings(fixture) == 3 && fixture.bankBalance() == Money(dong: 660_000))
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aNotificationAfterItsStatementLineIsItsLateAnnouncement() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.dung)) LE HOANG DUNG"
        var statement = CamtStatement()
        statement.entries = [.init(date: "2026-09-16", amount: 500_000, memo: memo, reference: "TCB-1")]
        _ = try fixture.run(statement.text, name: "stmt.xml")
        let result = try fixture.run(Self.notification08(reference: "TCB-1", amount: 500_000, memo: memo), name: "ntf.xml")
        #expect(result.counts.linesKnown == 1 && result.counts.linesNew == 0)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 1 && bookings(fixture) == 1)
        #expect(try fixture.bankBalance() == Money(dong: 500_000) && fixture.verify().isEmpty)
    }

    @Test func aCreditorAccountNamingAPupilsVirtualAccountPaysThatPupil() throws {
        let fixture = try StatementFixture()
        let chi = try fixture.billing.addStudent("HS003", name: "Trần Minh Chí", virtualAccount: "V2MSHS003")
        _ = try fixture.billing.issue()
        let result = try fixture.run(Self.notification08(reference: "VA-1", amount: 500_000, memo: "CHUYEN TIEN", creditorAccount: "V2MSHS003"),
                                     name: "ntf.xml")
        #expect(result.counts.appliedAutomatically == 1)
        let invoice = try #require(try fixture.billing.invoices().first { $0.studentID == chi.id })
        #expect(try fixture.billing.invoice(invoice.id).status == .paid)
        let id = try fixture.count("SELECT bank_transaction_id FROM bank_transactions")
        #expect(try fixture.transaction(id).virtualAccount == "V2MSHS003")
    }

    @Test func aStructuredCreditorReferenceNamingAVirtualAccountIsRecognisedOnAStatementLine() throws {
        let fixture = try StatementFixture()
        let chi = try fixture.billing.addStudent("HS003", name: "Trần Minh Chí", virtualAccount: "V2MSHS003")
        _ = try fixture.billing.issue()
        var statement = CamtStatement()
        statement.entries = [.init(date: "2026-09-16", amount: 500_000, memo: "UNUSED", reference: "STRD-1")]
        let text = statement.text.replacingOccurrences(of: "<RmtInf><Ustrd>UNUSED</Ustrd></RmtInf>",
                                                       with: "<RmtInf><Ustrd>CHUYEN TIEN</Ustrd><Strd><CdtrRefInf><Ref>V2MSHS003</Ref></CdtrRefInf></Strd></RmtInf>")
        #expect(text != statement.text)
        let result = try fixture.run(text, name: "stmt.xml")
        #expect(result.counts.appliedAutomatically == 1)
        let invoice = try #require(try fixture.billing.invoices().first { $0.studentID == chi.id })
        #expect(try fixture.billing.invoice(invoice.id).status == .paid)
    }

    @Test func aBadNotificationIsRefusedWholeNamingLineAndField() throws {
        let fixture = try StatementFixture()
        let before = try fixture.tableCounts()
        let good = Self.notification08(reference: "OK-1", amount: 500_000, memo: "HOC PHI")
        let unreferenced = Self.notification02([("GOOD-1", 100_000, "A"), ("GOOD-2", 200_000, "B")])
            .replacingOccurrences(of: "<AcctSvcrRef>GOOD-2</AcctSvcrRef>", with: "")
        let error = try #require(fixture.refusal(unreferenced, name: "ntf.xml"))
        #expect(error.code == .unreferenced && error.field == "AcctSvcrRef" && error.line == 10)
        #expect(error.xmlPath == "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]")
        let dollars = try #require(fixture.refusal(good.replacingOccurrences(of: "VND", with: "USD"), name: "ntf.xml"))
        #expect(dollars.code == .notVND && dollars.field == "amount")
        let elsewhere = try #require(fixture.refusal(Self.notification08(reference: "OK-1", amount: 500_000, memo: "X", account: "999888777"),
                                                     name: "ntf.xml"))
        #expect(elsewhere.code == .wrongAccount && elsewhere.field == "Acct")
        let broken = try #require(fixture.refusal(good.replacingOccurrences(of: "<CdtDbtInd>CRDT</CdtDbtInd>", with: "<CdtDbtInd>XX</CdtDbtInd>"),
                                                  name: "ntf.xml"))
        #expect(broken.code == .unreadable && broken.line == 10)
        let mislabelled = try #require(fixture.refusal(good, name: "ntf.xml", format: .camt053))
        #expect(mislabelled.code == .unreadable && mislabelled.message.contains("camt.054 notification"))
        #expect(try fixture.tableCounts() == before)
    }

    /// A hand-written MT942 interim report in its SWIFT envelope: two credits of 16 September.
    static func mt942(_ lines: [(reference: String?, amount: Int64, memo: String)]) -> String {
        var text = """
            {1:F01BIDVVNVXAXXX0000000000}{2:O9421200260916BIDVVNVXAXXX00000000002609161200N}{4:
            :20:INTRA-0916
            :25:\(StatementFixture.account)
            :28C:1/1
            :34F:VNDD0,
            :13D:2609161200+0700

            """
        for line in lines {
            text += ":61:2609160916C\(line.amount),00NTRFNONREF" + (line.reference.map { "//" + $0 } ?? "") + "\n:86:\(line.memo)\n"
        }
        return text + ":90C:\(lines.count)VND\(lines.reduce(0) { $0 + $1.amount }),00\n-}\n"
    }

    @Test func anMT942IsProvisionalMoneyConfirmedByTheDaysMT940() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.an)) NGUYEN VAN AN"
        let intraday = Self.mt942([("BIDV-942-1", 500_000, memo), ("BIDV-942-2", 70_000, "UNG HO")])
        let result = try fixture.run(intraday, name: "intraday.sta")
        #expect(result.format == "mt942" && result.counts.linesNew == 2 && result.counts.appliedAutomatically == 1)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE status = 'provisional' AND provider = 'mt942'") == 2)
        #expect(try fixture.run(intraday, name: "intraday.sta").counts.linesKnown == 2)
        var statement = MT940Statement()
        statement.lines = [.init(date: MT940Statement.day(16), amount: 500_000, memo: memo, reference: "BIDV-942-1"),
                           .init(date: MT940Statement.day(16), amount: 70_000, memo: "UNG HO", reference: "BIDV-942-2")]
        let day = try fixture.run(statement.text)
        #expect(day.format == "mt940" && day.counts.callbacksConfirmed == 2 && day.counts.linesNew == 0)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE status = 'provisional'") == 0)
        #expect(try bookings(fixture) == 2 && fixture.bankBalance() == Money(dong: 570_000))
        #expect(try fixture.verify().isEmpty)
    }

    @Test func anMT942LineWithoutTheBanksReferenceRefusesTheReport() throws {
        let fixture = try StatementFixture()
        let before = try fixture.tableCounts()
        let error = try #require(fixture.refusal(Self.mt942([("R-1", 100_000, "A"), (nil, 200_000, "B")]), name: "intraday.sta"))
        #expect(error.code == .unreferenced && error.field == ":61:" && error.line == 9)
        #expect(try fixture.tableCounts() == before)
    }
}
