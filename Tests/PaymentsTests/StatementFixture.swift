import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import SchoolFixtures
import TestSupport

/// A school with students and September invoices, a `tuition` callback connection on its bank
/// account, and statement files to import into that account.
struct StatementFixture: Sendable {
    let callbacks: CallbackFixture
    let an: Student, binh: Student, dung: Student
    /// September invoices by student id.
    let invoices: [Int64: Invoice]
    let catalog: CSVFormatCatalog
    static let account = CallbackFixture.account

    var billing: BillingFixture { callbacks.billing }
    var pool: PostgresPool { callbacks.pool }
    var school: School { callbacks.school }

    init(poolSize: Int = 4) throws {
        callbacks = try CallbackFixture(poolSize: poolSize)
        catalog = try CSVFormatCatalog(directory: Repository.bankFormats + "/statements")
        let billing = callbacks.billing
        try billing.addFee("HP", amount: 500_000)
        an = try billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
        binh = try billing.addStudent("HS002", name: "Nguyễn Thị Bình", grade: 8, className: "8A2", family: "NGUYEN-1")
        dung = try billing.addStudent("HS004", name: "Lê Hoàng Dũng", guardian: "Lê Văn Hùng")
        _ = try billing.issue()
        invoices = Dictionary(uniqueKeysWithValues: try billing.invoices().map { ($0.studentID, $0) })
    }

    func code(_ student: Student) -> String { invoices[student.id]!.paymentCode }

    func invoice(_ student: Student) throws -> Invoice { try billing.invoice(invoices[student.id]!.id) }

    /// Imports `text` as an uploaded file.
    @discardableResult
    func run(_ text: String, name: String = "statement.sta", format: StatementFormat = .auto, dryRun: Bool = false, strict: Bool = false,
             account: String = StatementFixture.account) throws -> StatementImportResult {
        try StatementImporter(pool: pool, descriptions: catalog).run(request(text, name: name, format: format, dryRun: dryRun, strict: strict,
                                                                            account: account))
    }

    func request(_ text: String, name: String = "statement.sta", format: StatementFormat = .auto, dryRun: Bool = false, strict: Bool = false,
                 account: String = StatementFixture.account) -> StatementImportRequest {
        StatementImportRequest(schoolID: school.id, bankAccountNumber: account, source: .bytes(Array(text.utf8)), fileName: name,
                               format: format, dryRun: dryRun, strict: strict, importedBy: "test")
    }

    /// The error an import of `text` is refused with; nil when it was imported.
    func refusal(_ text: String, name: String = "statement.sta", format: StatementFormat = .auto, strict: Bool = false) -> StatementImportError? {
        do {
            try run(text, name: name, format: format, strict: strict)
            return nil
        } catch let error as StatementImportError {
            return error
        } catch {
            return StatementImportError(.unreadable, file: name, message: "unexpected error \(error)")
        }
    }

    /// Row counts of every table an import (or the callbacks and applications it triggers) writes.
    static let writtenTables = ["statement_imports", "bank_statements", "statement_lines", "bank_transactions", "journal_entries", "postings",
                                "payment_applications", "receipts", "callback_deliveries", "ledger_failures"]

    func tableCounts() throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in StatementFixture.writtenTables {
            counts[table] = try callbacks.count("SELECT count(*) FROM \(table)")
        }
        return counts
    }

    func count(_ sql: String) throws -> Int64 { try callbacks.count(sql) }

    func transaction(_ id: Int64) throws -> BankTransaction {
        try pool.withConnection { try BankTransactions.find(schoolID: school.id, id: id, on: $0)! }
    }

    func ledgerBalance(_ purpose: AccountPurpose) throws -> Money {
        try pool.withConnection { connection in
            let account = try LedgerQueries.account(schoolID: school.id, purpose: purpose, on: connection)!.accountID
            return try LedgerQueries.balance(schoolID: school.id, accountID: account, on: connection) ?? .zero
        }
    }

    /// The bank's ledger account balance (the school's one bank account).
    func bankBalance() throws -> Money {
        try pool.withConnection { connection in
            let account = try Schools.bankAccounts(schoolID: school.id, on: connection)[0].accountID
            return try LedgerQueries.balance(schoolID: school.id, accountID: account, on: connection) ?? .zero
        }
    }

    /// Both verifiers, plus the import's own invariants: every bank transaction booked once, every
    /// statement line pointing at one, no key twice.
    func verify() throws -> [String] {
        let verification = try billing.verify()
        var findings = verification.isClean ? [] : [verification.description]
        let checks: [(String, String)] = [
            ("unbooked transaction", "SELECT count(*) FROM bank_transactions WHERE entry_id IS NULL"),
            ("booking count", """
                SELECT count(*) FROM bank_transactions b WHERE (SELECT count(*) FROM journal_entries e WHERE e.school_id = b.school_id
                AND e.idempotency_key = 'bank-transaction:' || b.bank_transaction_id || ':booking') <> 1
                """),
            ("lines per transaction", """
                SELECT count(*) FROM (SELECT bank_transaction_id FROM statement_lines GROUP BY 1 HAVING count(*) > 1) t
                """),
            ("confirmed outcome", """
                SELECT count(*) FROM statement_lines l JOIN bank_transactions b USING (school_id, bank_transaction_id)
                WHERE (l.outcome = 'confirmed_callback') <> (b.origin = 'callback') OR b.status <> 'confirmed'
                """),
        ]
        for (name, sql) in checks where try count(sql) != 0 {
            findings.append("\(name): \(try count(sql))")
        }
        return findings
    }
}

/// An MT940 statement for the fixture's account, its closing balance computed from its lines.
struct MT940Statement {
    struct Line {
        var date: String
        var amount: Int64
        var memo: String
        var reference: String?
        var type = "NTRF"
    }

    var reference = "STMT-0001"
    var account = StatementFixture.account
    var currency = "VND"
    var opening: Int64 = 100_000_000
    var openingDate = "260901"
    var closingDate = "260930"
    var lines: [Line] = []
    /// Added to the computed closing balance, to make the statement unbalanced.
    var closingError: Int64 = 0

    var closing: Int64 { opening + lines.reduce(0) { $0 + $1.amount } + closingError }

    /// `YYMMDD` of a September 2026 day.
    static func day(_ day: Int) -> String { "2609" + (day < 10 ? "0" : "") + String(day) }

    var text: String {
        var text = ":20:\(reference)\n:25:\(account)\n:28C:1/1\n:60F:\(Self.balance(opening, openingDate, currency))\n"
        for line in lines {
            let mark = line.amount >= 0 ? "C" : "D"
            let entry = String(line.date.suffix(4))
            text += ":61:\(line.date)\(entry)\(mark)\(line.amount.magnitude),00\(line.type)NONREF"
            text += (line.reference.map { "//\($0)" } ?? "") + "\n"
            text += ":86:\(line.memo)\n"
        }
        return text + ":62F:\(Self.balance(closing, closingDate, currency))\n"
    }

    static func balance(_ amount: Int64, _ date: String, _ currency: String) -> String {
        "\(amount < 0 ? "D" : "C")\(date)\(currency)\(amount.magnitude),00"
    }
}

/// A camt.053 statement (`.001.02` or `.001.08` spelling) for the fixture's account.
struct CamtStatement {
    struct Entry {
        var date: String
        var amount: Int64
        var memo: String
        var reference: String
        var status = "BOOK"
        var familyCode: String?
        /// Amounts of the `TxDtls` of a batch entry (they add up to `amount`); empty for a single one.
        var details: [Int64] = []
    }

    var version = 8
    var account = StatementFixture.account
    var currency = "VND"
    var opening: Int64 = 100_000_000
    var entries: [Entry] = []

    var closing: Int64 { opening + entries.filter { $0.status == "BOOK" }.reduce(0) { $0 + $1.amount } }

    var text: String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.0\(version)"><BkToCstmrStmt>
            <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-10-01T06:00:00+07:00</CreDtTm></GrpHdr>
            <Stmt><Id>CAMT-STMT-1</Id>
            <Acct><Id><Othr><Id>\(account)</Id></Othr></Id><Ccy>\(currency)</Ccy></Acct>
            \(balance("OPBD", opening, "2026-09-01"))\(balance("CLBD", closing, "2026-09-30"))
            """
        for entry in entries { text += self.entry(entry) }
        return text + "</Stmt></BkToCstmrStmt></Document>\n"
    }

    func balance(_ code: String, _ amount: Int64, _ date: String) -> String {
        "<Bal><Tp><CdOrPrtry><Cd>\(code)</Cd></CdOrPrtry></Tp><Amt Ccy=\"\(currency)\">\(amount.magnitude)</Amt>"
            + "<CdtDbtInd>\(amount < 0 ? "DBIT" : "CRDT")</CdtDbtInd><Dt><Dt>\(date)</Dt></Dt></Bal>\n"
    }

    func entry(_ entry: Entry) -> String {
        let status = version == 2 ? "<Sts>\(entry.status)</Sts>" : "<Sts><Cd>\(entry.status)</Cd></Sts>"
        let party = version == 2 ? "<Dbtr><Nm>NGUYEN VAN BINH</Nm></Dbtr>" : "<Dbtr><Pty><Nm>NGUYEN VAN BINH</Nm></Pty></Dbtr>"
        let code = entry.familyCode.map { "<BkTxCd><Domn><Cd>ACMT</Cd><Fmly><Cd>MDOP</Cd><SubFmlyCd>\($0)</SubFmlyCd></Fmly></Domn></BkTxCd>" } ?? ""
        var details = ""
        if entry.details.isEmpty {
            details = "<TxDtls><RltdPties>\(party)</RltdPties><RmtInf><Ustrd>\(entry.memo)</Ustrd></RmtInf></TxDtls>"
        } else {
            for (index, amount) in entry.details.enumerated() {
                details += "<TxDtls><AmtDtls><TxAmt><Amt Ccy=\"\(currency)\">\(amount)</Amt></TxAmt></AmtDtls>"
                    + "<RmtInf><Ustrd>\(entry.memo) \(index + 1)</Ustrd></RmtInf></TxDtls>"
            }
        }
        return "<Ntry><Amt Ccy=\"\(currency)\">\(entry.amount.magnitude)</Amt><CdtDbtInd>\(entry.amount < 0 ? "DBIT" : "CRDT")</CdtDbtInd>"
            + "\(status)<BookgDt><Dt>\(entry.date)</Dt></BookgDt><ValDt><Dt>\(entry.date)</Dt></ValDt>"
            + "<AcctSvcrRef>\(entry.reference)</AcctSvcrRef>\(code)<NtryDtls>\(details)</NtryDtls></Ntry>\n"
    }
}
