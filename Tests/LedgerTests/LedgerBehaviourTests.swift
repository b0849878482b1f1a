import Core
import Foundation
import Ledger
import Postgres
import Testing
import TestSupport

@Suite struct LedgerBehaviourTests {
    @Test func createsASchoolWithItsDefaultChart() throws {
        let fixture = try LedgerFixture()
        let accounts = try fixture.pool.withConnection { try LedgerQueries.accounts(schoolID: fixture.school.id, on: $0) }
        let purposes = Set(accounts.map(\.purpose))
        for purpose in [AccountPurpose.bank, .cash, .receivable, .feeIncome, .collection, .suspense, .familyCredit,
                        .refundsPayable, .discounts, .writeOff] {
            #expect(purposes.contains(purpose), "missing \(purpose)")
        }
        #expect(accounts.allSatisfy { $0.balance == nil && $0.postingCount == 0 })
        let banks = try fixture.pool.withConnection { try Schools.bankAccounts(schoolID: fixture.school.id, on: $0) }
        #expect(banks.count == 1 && banks[0].accountNumber == "0011001234567")
        // Codes are editable.
        try fixture.pool.withConnection { try Schools.renameAccount(schoolID: fixture.school.id, accountID: fixture.account(.cash), code: "111", on: $0) }
        let renamed = try fixture.pool.withConnection { try LedgerQueries.accounts(schoolID: fixture.school.id, on: $0) }
        #expect(renamed.contains { $0.code == "111" && $0.purpose == .cash })
        // A second school with the same code is refused.
        #expect(throws: LedgerError.duplicate("school THCS-TEST")) {
            try fixture.pool.transaction(isolation: .readCommitted) { connection in
                try Schools.create(NewSchool(code: "THCS-TEST", name: "x", district: "y", level: .primary, paymentCodePrefix: "HP", bankAccounts: []), on: connection)
            }
        }
    }

    @Test func aSchoolKeepsItsOwnershipAndAreaClass() throws {
        let fixture = try LedgerFixture()
        // The fixture's school takes the defaults: public, rural.
        #expect(fixture.school.ownership == .public && fixture.school.areaClass == .rural)
        let created = try fixture.pool.transaction(isolation: .readCommitted) { connection in
            try Schools.create(NewSchool(code: "MN-TUTHUC", name: "Trường Mầm non Tư thục", district: "Phường Phan Đình Phùng",
                                         level: .preschool, ownership: .nonPublic, areaClass: .mountainous, paymentCodePrefix: "MN",
                                         bankAccounts: []), on: connection)
        }
        let found = try #require(try fixture.pool.withConnection { try Schools.find(code: "MN-TUTHUC", on: $0) })
        #expect(found == created)
        #expect(found.ownership == .nonPublic && found.areaClass == .mountainous)
        // The database refuses a value the program does not know.
        let refused = #expect(throws: PostgresError.self) {
            try fixture.pool.withConnection { connection in
                _ = try connection.query("UPDATE schools SET area_class = 'suburban' WHERE school_id = \(created.id)")
            }
        }
        #expect(refused?.code == .server && refused?.sqlState == .checkViolation, "\(String(describing: refused))")
    }

    @Test func postsBalancedEntriesAndKeepsBalances() throws {
        let fixture = try LedgerFixture()
        let request = try fixture.entry(key: "pay-1", postings: [(.bank, 150_000), (.suspense, -150_000)])
        let first = try fixture.ledger.post(request)
        #expect(!first.replayed)
        #expect(try fixture.balance(.bank) == Money(dong: 150_000))
        #expect(try fixture.balance(.suspense) == Money(dong: -150_000))
        #expect(try fixture.balance(.cash) == nil)
        // Same key, same request: the first result, nothing written.
        let again = try fixture.ledger.post(request)
        #expect(again == PostedEntry(entryID: first.entryID, replayed: true))
        #expect(try fixture.balance(.bank) == Money(dong: 150_000))
        // Same key, different request: a conflict.
        let different = try fixture.entry(key: "pay-1", postings: [(.bank, 150_001), (.suspense, -150_001)])
        #expect(throws: LedgerError.idempotencyConflict(key: "pay-1")) { try fixture.ledger.post(different) }
        #expect(try fixture.verify().isClean)
    }

    @Test func balanceAtAnEffectiveDateAndNoPostingsAreDistinct() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.post(fixture.entry(key: "a", date: "2026-09-01", postings: [(.bank, 100), (.suspense, -100)]))
        try fixture.ledger.post(fixture.entry(key: "b", date: "2026-09-20", postings: [(.bank, 50), (.suspense, -50)]))
        try fixture.ledger.post(fixture.entry(key: "c", date: "2026-09-25", postings: [(.bank, -150), (.suspense, 150)]))
        let bank = fixture.account(.bank)
        func at(_ date: String) throws -> Money? {
            try fixture.pool.withConnection { try LedgerQueries.balance(schoolID: fixture.school.id, accountID: bank, asOf: CalendarDate(iso: date), on: $0) }
        }
        #expect(try at("2026-08-31") == nil)
        #expect(try at("2026-09-01") == Money(dong: 100))
        #expect(try at("2026-09-24") == Money(dong: 150))
        #expect(try at("2026-09-30") == Money(dong: 0))
        #expect(try fixture.balance(.bank) == Money(dong: 0)) // zero, with postings: not nil
    }

    @Test func refusalsAreRememberedAndChangeNothing() throws {
        let fixture = try LedgerFixture()
        let unknown = JournalEntryRequest(schoolID: fixture.school.id, effectiveDate: try CalendarDate(iso: "2026-09-02"), kind: .adjustment,
                                          description: "to a missing account", idempotencyKey: "k-unknown",
                                          postings: [PostingRequest(accountID: 999_999, amount: Money(dong: 5)),
                                                     PostingRequest(accountID: fixture.account(.bank), amount: Money(dong: -5))])
        #expect(throws: LedgerError.unknownAccount(999_999)) { try fixture.ledger.post(unknown) }
        // The retry fails the same way even though nothing about the request changed.
        do {
            try fixture.ledger.post(unknown)
            Issue.record("a remembered failure succeeded")
        } catch {
            #expect(error.code == "unknown_account")
        }
        // Closed period: refused, remembered, and still refused after the period is reopened.
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: CalendarMonth(iso: "2026-08"), actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        let late = try fixture.entry(key: "k-late", date: "2026-08-31", postings: [(.bank, 10), (.suspense, -10)])
        let closedThrough = try CalendarDate(iso: "2026-08-31")
        #expect(throws: LedgerError.closedPeriod(effectiveDate: closedThrough, closedThrough: closedThrough)) { try fixture.ledger.post(late) }
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.reopen(schoolID: fixture.school.id, month: CalendarMonth(iso: "2026-08"), actor: Actor(name: "so tc", role: .financeOffice), on: $0)
        }
        do {
            try fixture.ledger.post(late)
            Issue.record("a request refused for a closed period succeeded later with the same key")
        } catch {
            #expect(error.code == "closed_period")
        }
        // A new key for the same posting now succeeds.
        var fresh = late
        fresh.idempotencyKey = "k-late-2"
        try fixture.ledger.post(fresh)
        #expect(try fixture.balance(.bank) == Money(dong: 10))
        #expect(try fixture.verify().isClean)
    }

    @Test func onlyTheFinanceOfficeReopens() throws {
        let fixture = try LedgerFixture()
        let month = try CalendarMonth(iso: "2026-09")
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: month, actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        for role in [Role.accountant, .admin, .authorityOffice, .bank, .feed] {
            #expect(throws: LedgerError.notPermitted("only the finance office may reopen a closed period")) {
                try fixture.pool.transaction(isolation: .readCommitted) {
                    try Periods.reopen(schoolID: fixture.school.id, month: month, actor: Actor(name: "x", role: role), on: $0)
                }
            }
        }
        let events = try fixture.pool.withConnection {
            try $0.query("SELECT action, actor, actor_role FROM period_events WHERE school_id = \(fixture.school.id)").decode((String, String, String).self)
        }
        #expect(events.count == 1 && events[0] == ("close", "kt", "accountant"))
    }

    @Test func reversesOnceWithAnExplicitDate() throws {
        let fixture = try LedgerFixture()
        let original = try fixture.ledger.post(fixture.entry(key: "orig", postings: [(.bank, 700), (.suspense, -700)]))
        let reversalDate = try CalendarDate(iso: "2026-09-20")
        let reversal = try fixture.ledger.reverse(schoolID: fixture.school.id, entryID: original.entryID, effectiveDate: reversalDate, idempotencyKey: "rev-1")
        #expect(!reversal.replayed)
        #expect(try fixture.balance(.bank) == Money(dong: 0))
        let retry = try fixture.ledger.reverse(schoolID: fixture.school.id, entryID: original.entryID, effectiveDate: reversalDate, idempotencyKey: "rev-1")
        #expect(retry == PostedEntry(entryID: reversal.entryID, replayed: true))
        #expect(throws: LedgerError.alreadyReversed(entryID: original.entryID, by: reversal.entryID)) {
            try fixture.ledger.reverse(schoolID: fixture.school.id, entryID: original.entryID, effectiveDate: reversalDate, idempotencyKey: "rev-2")
        }
        let reference = try fixture.pool.withConnection {
            try $0.query("SELECT reverses_entry_id, effective_date FROM journal_entries WHERE entry_id = \(reversal.entryID)")
                .singleRow()!.decode((Int64, CalendarDate).self)
        }
        #expect(reference.0 == original.entryID && reference.1 == reversalDate)
        // A reversal naming an entry the school does not have is refused as such, not as a database error.
        var orphan = try fixture.entry(key: "rev-orphan", postings: [(.bank, -5), (.suspense, 5)])
        orphan.kind = .reversal
        orphan.references = EntryReferences(reversesEntryID: 987_654_321)
        #expect(throws: LedgerError.unknownEntry(987_654_321)) { try fixture.ledger.post(orphan) }
        #expect(try fixture.verify().isClean)
    }

    @Test func dimensionBalancesFollowPostings() throws {
        let fixture = try LedgerFixture()
        let invoiceDimensions = PostingDimensions(studentID: 7, invoiceID: 70)
        try fixture.ledger.post(fixture.entry(key: "inv", postings: [(.receivable, 1_000), (.feeIncome, -1_000)], dimensions: invoiceDimensions))
        try fixture.ledger.post(fixture.entry(key: "pay", postings: [(.receivable, -400), (.suspense, 400)], dimensions: invoiceDimensions))
        let outstanding = try fixture.pool.withConnection {
            try LedgerQueries.balance(schoolID: fixture.school.id, accountID: fixture.account(.receivable), dimension: .invoice, id: 70, on: $0)
        }
        #expect(outstanding == Money(dong: 600))
        let none = try fixture.pool.withConnection {
            try LedgerQueries.balance(schoolID: fixture.school.id, accountID: fixture.account(.receivable), dimension: .invoice, id: 71, on: $0)
        }
        #expect(none == nil)
        #expect(try fixture.verify().isClean)
    }
}
