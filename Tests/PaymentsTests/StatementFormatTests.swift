import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Testing
import TestSupport

/// Each statement format imports into the school's bank account, and files that cannot be
/// imported (another account, another currency, fractions of a đồng, a bad line) import nothing.
@Suite struct StatementFormatTests {
    @Test func mt940LinesAreBookedAppliedAndFeesRecognised() throws {
        let fixture = try StatementFixture()
        var statement = MT940Statement()
        statement.lines = [
            .init(date: MT940Statement.day(5), amount: 500_000, memo: "MBVCB.3278907687.\(fixture.code(fixture.an)) NGUYEN VAN AN", reference: "FT001"),
            .init(date: MT940Statement.day(6), amount: 250_000, memo: "CHUYEN TIEN HOC", reference: "FT002"),
            .init(date: MT940Statement.day(7), amount: -1_200_000, memo: "Chi mua sach", reference: "FT003"),
            .init(date: MT940Statement.day(8), amount: -22_000, memo: "Thu phi SMS Banking", reference: "FT004", type: "NCHG"),
        ]
        let result = try fixture.run(statement.text)
        let counts = result.counts
        #expect(counts.linesTotal == 4 && counts.linesNew == 4 && counts.linesKnown == 0 && counts.callbacksConfirmed == 0)
        #expect(counts.appliedAutomatically == 1 && counts.leftInSuspense == 1 && counts.debitsToSuspense == 1 && counts.bankFees == 1)
        #expect(result.format == "mt940" && result.importID != nil && result.statements.count == 1)
        #expect(result.statements[0].balanceCheck == "balanced" && result.statements[0].continuity.status == .first)
        #expect(try fixture.invoice(fixture.an).status == .paid)
        // The bank account moved by the lines' sum; suspense holds the uncoded money in and the debit.
        #expect(try fixture.bankBalance() == Money(dong: 500_000 + 250_000 - 1_200_000 - 22_000))
        #expect(try fixture.ledgerBalance(.suspense) == Money(dong: -250_000 + 1_200_000))
        #expect(try fixture.ledgerBalance(.bankFees) == Money(dong: 22_000))
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE origin = 'statement' AND status = 'confirmed'") == 4)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE direction = 'in' AND match_decision IS NULL") == 0)
        #expect(try fixture.count("SELECT count(*) FROM statement_lines WHERE outcome = 'new'") == 4)
        #expect(try fixture.count("SELECT count(*) FROM bank_statements WHERE closing_balance = \(statement.closing)") == 1)
        #expect(try fixture.count("SELECT count(*) FROM statement_imports WHERE lines_new = 4 AND length(file_sha256) = 32") == 1)
        #expect(try fixture.verify().isEmpty)
    }

    /// The uncoded line's stored decision is the one a callback with the same memo gets.
    @Test func aLineWithoutCodeStoresTheDecisionACallbackWouldGet() throws {
        let fixture = try StatementFixture()
        var statement = MT940Statement()
        statement.lines = [.init(date: MT940Statement.day(5), amount: 250_000, memo: "NGUYEN VAN BINH CHUYEN TIEN", reference: "FT010")]
        try fixture.run(statement.text)
        let callback = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-X", amount: 250_000, memo: "NGUYEN VAN BINH CHUYEN TIEN",
                                                                     payer: nil, bookedAt: "2026-09-25T10:00:00+07:00"))
        let ids = try fixture.pool.withConnection {
            try $0.query("SELECT bank_transaction_id FROM bank_transactions ORDER BY 1").map { try $0.decode(column: 0, as: Int64.self) }
        }
        #expect(ids.count == 2 && callback.bankTransactionID == ids[1])
        let decisions = try fixture.pool.withConnection { connection in
            try ids.map { try DecisionStore.load(schoolID: fixture.school.id, bankTransactionID: $0, on: connection)! }
        }
        #expect(decisions[0].rule == decisions[1].rule && decisions[0].explanation == decisions[1].explanation)
        #expect(decisions[0].proposals == decisions[1].proposals && !decisions[0].isAutomatic)
        #expect(try fixture.verify().isEmpty)
    }

    @Test(arguments: [2, 8])
    func camt053ImportsSplitEntriesAndSkipsPending(version: Int) throws {
        let fixture = try StatementFixture()
        var statement = CamtStatement()
        statement.version = version
        statement.entries = [
            .init(date: "2026-09-05", amount: 500_000, memo: "\(fixture.code(fixture.dung)) LE HOANG DUNG", reference: "CAMT-001"),
            .init(date: "2026-09-06", amount: 900_000, memo: "HOC PHI HAI CON", reference: "CAMT-002", details: [400_000, 500_000]),
            .init(date: "2026-09-07", amount: -15_000, memo: "PHI QUAN LY TAI KHOAN", reference: "CAMT-003", familyCode: "CHRG"),
            .init(date: "2026-09-08", amount: 700_000, memo: "CHO XU LY", reference: "CAMT-004", status: "PDNG"),
        ]
        let result = try fixture.run(statement.text, name: "statement.xml")
        #expect(result.format == "camt053")
        #expect(result.counts.linesTotal == 5 && result.counts.linesNew == 4 && result.counts.linesSkipped == 1)
        #expect(result.counts.appliedAutomatically == 1 && result.counts.leftInSuspense == 2 && result.counts.bankFees == 1)
        #expect(try fixture.invoice(fixture.dung).status == .paid)
        let keys = try fixture.pool.withConnection {
            try $0.query("SELECT dedup_key FROM statement_lines ORDER BY line_id").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(keys == ["r:CAMT-001", "r:CAMT-002/1", "r:CAMT-002/2", "r:CAMT-003"])
        #expect(try fixture.bankBalance() == Money(dong: 500_000 + 900_000 - 15_000))
        // The pending entry is not in the statement's balance either: importing again adds nothing.
        #expect(try fixture.run(statement.text, name: "statement.xml").counts.linesKnown == 4)
        #expect(try fixture.verify().isEmpty)
    }

    static let bidv = """
        NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM (BIDV),,,,,,
        Số tài khoản: 0011001234567,,,,,,
        STT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ
        ,DƯ ĐẦU,,,,"45,000,000",
        1,02/09/2026,BDV0001,,"500,000","45,500,000",CODE NGUYEN VAN AN NOP HOC PHI
        2,02/09/2026,BDV0002,,"1,800,000","47,300,000","REM Tfr Ac: 12010000999888 LE VAN BINH
        TIEN AN THANG 9"
        3,04/09/2026,BDV0003,"500,000",,"46,800,000","Chuyen tien dien nuoc, thang 8"
        ,CỘNG PHÁT SINH,,"500,000","2,300,000",,
        ,DƯ CUỐI,,,,"46,800,000",
        """

    static let techcombank = """
        TECHCOMBANK,,,,,,,
        Account number: 0011001234567,,,,,,,
        "Opening balance: 10,000,000",,,,,,,
        "Closing balance: 11,489,000",,,,,,,
        Date,Remitter,Bank,Details,Transaction No,Debit,Credit,Balance
        02/09/2026,NGUYEN VAN AN,VCB,CODE NGUYEN VAN AN HOC PHI T9,FT26245500001,,"500,000","10,500,000"
        02/09/2026,TRAN THI MAI,TCB,"HOC PHI 2 CON",FT26245500002,,"1,000,000","11,500,000"
        03/09/2026,,,Phi quan ly tai khoan,FT26246500003,"11,000",,"11,489,000"
        Total,,,,,"11,000","1,500,000",
        """

    @Test(arguments: ["bidv", "techcombank"])
    func bankCSVExportsImport(bank: String) throws {
        let fixture = try StatementFixture()
        let text = (bank == "bidv" ? Self.bidv : Self.techcombank).replacingOccurrences(of: "CODE", with: fixture.code(fixture.an))
        let result = try fixture.run(text, name: "\(bank).csv")
        #expect(result.format == "csv:\(bank)")
        #expect(result.counts.linesNew == 3 && result.counts.appliedAutomatically == 1 && result.counts.leftInSuspense == 1)
        #expect(result.counts.debitsToSuspense == 1, "CSV exports carry no transaction type: a charge waits in suspense")
        #expect(result.statements[0].balanceCheck == "balanced")
        #expect(try fixture.invoice(fixture.an).status == .paid)
        let memo = try fixture.pool.withConnection {
            try $0.query("SELECT memo FROM bank_transactions WHERE amount = 1800000").first?.decode(column: 0, as: String.self)
        }
        if bank == "bidv" { #expect(memo == "REM Tfr Ac: 12010000999888 LE VAN BINH TIEN AN THANG 9") }
        #expect(try fixture.run(text, name: "\(bank).csv").counts.linesKnown == 3)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aCSVWithoutItsAccountRowIsAccepted() throws {
        let fixture = try StatementFixture()
        let text = Self.techcombank.replacingOccurrences(of: "Account number: 0011001234567,,,,,,,\n", with: "")
        #expect(try fixture.run(text, name: "export.csv").counts.linesNew == 3)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func anotherAccountsStatementIsRefused() throws {
        let fixture = try StatementFixture()
        var statement = MT940Statement()
        statement.account = "VCBVVNVX/0011009876543"
        statement.lines = [.init(date: MT940Statement.day(5), amount: 1_000, memo: "X", reference: "A1")]
        let before = try fixture.tableCounts()
        let error = fixture.refusal(statement.text)
        #expect(error?.code == .wrongAccount && error?.line == 1)
        #expect(error?.description.contains("0011009876543") == true)
        #expect(try fixture.tableCounts() == before)
        statement.account = "VCBVVNVX/0011001234567"
        #expect(try fixture.run(statement.text).counts.linesNew == 1, "the account after the bank's BIC is the school's")
        #expect(throws: StatementImportError(.unknownBankAccount, file: "statement.sta", field: "account",
                                              message: "school TRUONG-1 has no bank account 999 (its accounts: 0011001234567)")) { try fixture.run(statement.text, account: "999") }
        #expect(try fixture.verify().isEmpty)
    }

    @Test func anotherCurrencyOrAFractionOfADongIsRefused() throws {
        let fixture = try StatementFixture()
        let before = try fixture.tableCounts()
        var euro = CamtStatement()
        euro.currency = "EUR"
        euro.entries = [.init(date: "2026-09-05", amount: 100, memo: "X", reference: "E1")]
        let refused = fixture.refusal(euro.text, name: "eur.xml")
        #expect(refused?.code == .notVND && refused?.description.contains("EUR") == true)
        var fraction = MT940Statement()
        fraction.lines = [.init(date: MT940Statement.day(5), amount: 1_000, memo: "X", reference: "F1")]
        let text = fraction.text.replacingOccurrences(of: "C1000,00NTRF", with: "C1000,50NTRF")
            .replacingOccurrences(of: "VND100001000,00", with: "VND100001000,50")
        let error = fixture.refusal(text, name: "fraction.sta")
        #expect(error?.code == .notWholeDong && error?.line == 5 && error?.field == "amount", "\(String(describing: error))")
        #expect(try fixture.tableCounts() == before)
        #expect(try fixture.verify().isEmpty)
    }

    /// A bad line deep in a large file (past several COPY batches): nothing of the file is kept.
    @Test func aBadLineInTheMiddleImportsNothing() throws {
        let fixture = try StatementFixture()
        var statement = MT940Statement()
        statement.lines = (1...12_000).map { .init(date: MT940Statement.day(1 + $0 % 28), amount: 10_000 + Int64($0), memo: "LINE \($0)",
                                                    reference: "BIG-\($0)") }
        let good = statement.text
        let bad = good.replacingOccurrences(of: "C16000,00NTRFNONREF//BIG-6000\n", with: "Q16000,00NTRFNONREF//BIG-6000\n")
        #expect(bad != good)
        let before = try fixture.tableCounts()
        let error = fixture.refusal(bad, name: "big.sta")
        #expect(error?.code == .unreadable && error?.line == 2 * 6_000 + 3 && error?.field == ":61:", "\(String(describing: error))")
        #expect(try fixture.tableCounts() == before)
        let result = try fixture.run(good, name: "big.sta")
        #expect(result.counts.linesNew == 12_000 && result.counts.leftInSuspense == 12_000)
        #expect(try fixture.verify().isEmpty)
    }
}
