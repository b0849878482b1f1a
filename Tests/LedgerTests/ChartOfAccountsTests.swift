import Core
import Foundation
import Ledger
import Testing
import TestSupport

/// The chart of accounts comes from `charts/*.json`, checked strictly, and new schools get exactly it.
@Suite struct ChartOfAccountsTests {
    static let valid = """
        {"regime": "Circular 24/2024/TT-BTC", "replaces": "Circular 107/2017/TT-BTC", "title": "t", "codes_verified": false,
         "accounts": [
          {"purpose": "cash", "code": "1111", "name": "Tiền mặt", "type": "asset", "parent": "111"},
          {"purpose": "receivable", "code": "1388", "name": "Phải thu", "type": "asset", "parent": "138"},
          {"purpose": "budget_receivable", "code": "1381", "name": "Phải thu NSNN", "type": "asset", "parent": "138"},
          {"purpose": "collection", "code": "3381", "name": "Thu hộ", "type": "liability", "parent": "338"},
          {"purpose": "refunds_payable", "code": "3382", "name": "Hoàn tiền", "type": "liability", "parent": "338"},
          {"purpose": "suspense", "code": "3388", "name": "Chưa xác định", "type": "liability", "parent": "338"},
          {"purpose": "family_credit", "code": "3389", "name": "Trả trước", "type": "liability", "parent": "338"},
          {"purpose": "fee_income", "code": "5111", "name": "Thu học phí", "type": "income", "parent": "511"},
          {"purpose": "discounts", "code": "6111", "name": "Miễn giảm", "type": "expense", "parent": "611"},
          {"purpose": "write_off", "code": "6112", "name": "Xóa nợ", "type": "expense", "parent": "611"},
          {"purpose": "bank_fees", "code": "6421", "name": "Phí ngân hàng", "type": "expense", "parent": "642"},
          {"purpose": "other", "code": "7118", "name": "Thu khác", "type": "income", "parent": "711"},
          {"purpose": "service_revenue", "code": "5311", "name": "Doanh thu dịch vụ", "type": "income", "parent": "531"},
          {"purpose": "advances", "code": "3383", "name": "Nhận trước", "type": "liability", "parent": "338"},
          {"purpose": "in_transit", "code": "1131", "name": "Tiền đang chuyển", "type": "asset", "parent": "113"},
          {"purpose": "interest_income", "code": "5151", "name": "Lãi tiền gửi", "type": "income", "parent": "515"},
          {"purpose": "other_payables", "code": "3388.KHAC", "name": "Phải trả khác", "type": "liability", "parent": "338"}
         ]}
        """

    func problems(_ text: String) -> [String] {
        do {
            _ = try ChartOfAccountsParser.parse(Array(text.utf8), file: "test.json")
            return []
        } catch { return error.problems.map(\.description) }
    }

    @Test func theShippedChartGivesEveryPurposeButBankOnceWithItsRequiredType() throws {
        let layout = try ProjectLayout.locate()
        let chart = try DefaultChart.read(path: layout.charts + "/" + DefaultChart.fileName)
        #expect(chart.regime == "Circular 24/2024/TT-BTC")
        #expect(Set(chart.accounts.map(\.purpose)) == Set(ChartOfAccounts.requiredPurposes))
        #expect(chart.accounts.count == ChartOfAccounts.requiredPurposes.count)
        #expect(chart.accounts.allSatisfy { $0.type == ChartOfAccounts.requiredType(of: $0.purpose) && $0.code.hasPrefix($0.parent) })
    }

    @Test func aValidChartParses() throws {
        let chart = try ChartOfAccountsParser.parse(Array(Self.valid.utf8), file: "test.json")
        #expect(chart.accounts.first { $0.purpose == .suspense }?.code == "3388")
        #expect(chart.codesVerified == false && chart.replaces == "Circular 107/2017/TT-BTC")
    }

    @Test func everyProblemIsNamedByItsJSONPath() {
        let bad = Self.valid
            .replacingOccurrences(of: #""purpose": "receivable", "code": "1388", "name": "Phải thu", "type": "asset""#,
                                  with: #""purpose": "receivable", "code": "1388", "name": "Phải thu", "type": "income""#)
            .replacingOccurrences(of: #""code": "3382""#, with: #""code": "3381""#)
            .replacingOccurrences(of: #""codes_verified": false,"#, with: #""codes_verified": "no", "colour": 1,"#)
            .replacingOccurrences(of: #""code": "6421", "name": "Phí ngân hàng", "type": "expense", "parent": "642""#,
                                  with: #""code": "x6421", "name": "Phí ngân hàng", "type": "expense", "parent": "611""#)
        #expect(problems(bad) == [
            "$.colour: unknown field (known: accounts, codes_verified, note, regime, replaces, title)",
            "$.codes_verified: must be true or false",
            "$.accounts[1].type: 'income' cannot hold purpose 'receivable', which must be 'asset'",
            "$.accounts[4].code: '3381' is already the code of $.accounts[3]",
            "$.accounts[10].code: 'x6421' must be 1 to 32 digits, upper-case letters, dots or dashes, starting with a digit",
        ])
    }

    @Test func aMissingPurposeABankAccountOrADuplicatePurposeIsRefused() {
        let missing = Self.valid.replacingOccurrences(
            of: #"{"purpose": "other", "code": "7118", "name": "Thu khác", "type": "income", "parent": "711"}"#,
            with: #"{"purpose": "bank", "code": "1121", "name": "Ngân hàng", "type": "asset", "parent": "112"}"#)
        #expect(problems(missing) == ["$.accounts[11].purpose: 'bank' accounts are opened one per bank account of the school, not by the chart"])
        let twice = Self.valid.replacingOccurrences(of: #""purpose": "other""#, with: #""purpose": "fee_income""#)
        #expect(problems(twice) == [
            "$.accounts[11].purpose: 'fee_income' is already the purpose of $.accounts[7]",
        ])
        let without = Self.valid.replacingOccurrences(
            of: #"},"# + "\n" + #"  {"purpose": "other", "code": "7118", "name": "Thu khác", "type": "income", "parent": "711"}"#, with: "}")
        #expect(problems(without) == ["$.accounts: has no account for purpose other"])
        #expect(problems("[1]") == ["$: must be an object, not array"])
        #expect(problems("{\"regime\": \"a\", \"regime\": \"b\"}").count == 1)
    }

    @Test func aNewSchoolGetsTheFileChart() throws {
        let fixture = try LedgerFixture()
        let accounts = try fixture.pool.withConnection { try LedgerQueries.accounts(schoolID: fixture.school.id, on: $0) }
        let chart = try DefaultChart.chart()
        for account in chart.accounts {
            #expect(accounts.contains { $0.code == account.code && $0.purpose == account.purpose && $0.name == account.name },
                    "missing \(account.code) \(account.purpose)")
        }
        #expect(accounts.filter { $0.purpose != .bank }.count == chart.accounts.count)
    }
}
