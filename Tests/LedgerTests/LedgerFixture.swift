import Core
import Ledger
import Postgres
import TestSupport

/// A fresh database with one school and its default chart.
struct LedgerFixture {
    let database: TestDatabase
    let pool: PostgresPool
    let ledger: LedgerService
    let school: School
    let accounts: [AccountPurpose: Int64]

    init(poolSize: Int = 4, code: String = "THCS-TEST") throws {
        database = try TestDatabase.create()
        pool = database.pool(size: poolSize)
        ledger = LedgerService(pool: pool)
        let newSchool = NewSchool(code: code, name: "Trường THCS Thử Nghiệm", district: "Quận 1", level: .lowerSecondary,
                                  paymentCodePrefix: "HP",
                                  bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "0011001234567", holderName: "TRUONG THCS THU NGHIEM")])
        school = try pool.transaction(isolation: .readCommitted) { try Schools.create(newSchool, on: $0) }
        let schoolID = school.id
        var found: [AccountPurpose: Int64] = [:]
        for account in try pool.withConnection({ try LedgerQueries.accounts(schoolID: schoolID, on: $0) }) where found[account.purpose] == nil {
            found[account.purpose] = account.accountID
        }
        self.accounts = found
    }

    func account(_ purpose: AccountPurpose) -> Int64 { accounts[purpose]! }

    func entry(key: String, date: String = "2026-09-15", postings: [(AccountPurpose, Int64)],
               dimensions: PostingDimensions = .none) throws -> JournalEntryRequest {
        JournalEntryRequest(schoolID: school.id, effectiveDate: try CalendarDate(iso: date), kind: .paymentReceived,
                            description: "test entry \(key)", idempotencyKey: key,
                            postings: postings.map { PostingRequest(accountID: account($0.0), amount: Money(dong: $0.1), dimensions: dimensions) })
    }

    func balance(_ purpose: AccountPurpose) throws -> Money? {
        try pool.withConnection { try LedgerQueries.balance(schoolID: school.id, accountID: account(purpose), on: $0) }
    }

    func allBalances() throws -> [Int64: Money?] {
        var result: [Int64: Money?] = [:]
        for account in try pool.withConnection({ try LedgerQueries.accounts(schoolID: school.id, on: $0) }) {
            result[account.accountID] = account.balance
        }
        return result
    }

    func verify() throws -> LedgerVerifier.Report {
        try pool.withConnection { try LedgerVerifier.verify(schoolID: school.id, on: $0) }
    }
}
