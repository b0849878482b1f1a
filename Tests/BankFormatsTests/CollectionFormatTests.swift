@testable import BankFormats
import Core
import Foundation
import Testing

/// The collection descriptions, signatures, checksums, tokens and the end-of-day file, without a database.
@Suite struct CollectionFormatTests {
    /// `bank-formats/collections` of this checkout, found from this file's path.
    static let directory = CallbackFixtures.directory.deletingLastPathComponent().appendingPathComponent("collections")
    static let catalog = try! CollectionCatalog.load(directory: directory)

    @Test func bothLayoutsLoadWithEveryReplyAndDistinctPaths() throws {
        #expect(Self.catalog.providers == ["tuition", "vnbank"])
        let vnbank = Self.catalog.description(for: "vnbank")!
        #expect(vnbank.reply(.notFound).code == "011" && vnbank.reply(.noOpenItems).code == "012" && vnbank.reply(.ok).code == "000")
        #expect(vnbank.operation(path: "paybill") == .payment && vnbank.connectionProvider == "collect-vnbank")
        #expect(Self.catalog.paths == ["getbill", "inquiry", "paybill", "payments", "reversals", "reversebill", "token"])
    }

    @Test func aBrokenDescriptionIsRefusedNamingFileAndKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collections-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = try String(contentsOf: Self.directory.appendingPathComponent("tuition.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: #""scheme": "timestampedHMAC""#, with: #""scheme": "md5""#)
        try text.write(to: directory.appendingPathComponent("tuition.json"), atomically: true, encoding: .utf8)
        #expect {
            _ = try CollectionCatalog.load(directory: directory)
        } throws: { error in
            "\(error)" == "tuition.json: authentication.scheme: unknown value 'md5' (expected one of: timestampedHMAC, bearerChecksum)"
        }
    }

    /// The worked examples of docs/collection.md, checked with openssl and sha256sum.
    @Test func theDocumentedExamplesVerify() throws {
        let secret = CallbackSecret("collect_test_secret")!
        let body = Array(#"{"service_code":"THCS-BADINH-01","customer_code":"HS0001"}"#.utf8)
        let header = CollectionSigning.header(secret: secret, timestamp: 1_789_442_469, nonce: "5f2b8c1e9a7d4e60", path: "inquiry", body: body)
        #expect(header == "t=1789442469,n=5f2b8c1e9a7d4e60,v1=83faee503a3bba86532caaa5431feaf971d03a45d934478ba0eb5abb9af1f315")
        let checksum = CollectionSigning.checksum(secret: secret, values: ["THCS-BADINH-01", "R0001", "20260915102107", "HS0001"], separator: "|")
        #expect(checksum == "777eebd045f3c5fb908c31eacf5c58fd37b32af30d0be19b9c8d06175142ec4a")
        let description = Self.catalog.description(for: "tuition")!
        let envelope = try CollectionEnvelope(description: description, body: body)
        let verdict = CollectionAuthenticator(description: description).verify(
            .inquiry, headers: [CallbackHeader(name: "collect-signature", value: header)], envelope: envelope, secrets: [secret],
            now: Date(timeIntervalSince1970: 1_789_442_500))
        #expect(verdict == .accepted(timestamp: 1_789_442_469, nonce: "5f2b8c1e9a7d4e60"))
        let other = CollectionAuthenticator(description: description).verify(
            .payment, headers: [CallbackHeader(name: "Collect-Signature", value: header)], envelope: envelope, secrets: [secret],
            now: Date(timeIntervalSince1970: 1_789_442_500))
        #expect(other == .refused(.forged, reason: "bad signature"))
    }

    @Test func tokensExpireAndBindTheMerchant() throws {
        let tokens = CollectionTokens(description: Self.catalog.description(for: "vnbank")!)
        let secret = CallbackSecret("collect_test_secret")!
        let now = Date(timeIntervalSince1970: 1_789_442_469)
        let token = tokens.issue(merchant: "M1", secret: secret, now: now)
        #expect(tokens.verify(token, merchant: "M1", secrets: [secret], now: now.addingTimeInterval(299)))
        #expect(!tokens.verify(token, merchant: "M1", secrets: [secret], now: now.addingTimeInterval(300)))
        #expect(!tokens.verify(token, merchant: "M2", secrets: [secret], now: now))
        #expect(CollectionTokens.basicCredentials("Basic " + Data("M1:pa:ss".utf8).base64EncodedString())! == ("M1", "pa:ss"))
    }

    @Test func inquiryIDsCarryTheItemsUnderAMAC() throws {
        let secret = CallbackSecret("collect_test_secret")!
        let token = CollectionInquiryToken(schoolID: 3, studentID: 42, expiresAt: 1_789_443_369, items: [.init(invoiceID: 7, amount: 1_500_000)])
        let text = token.encoded(secret: secret)
        #expect(CollectionInquiryToken.decode(text, secrets: [secret]) == token)
        #expect(CollectionInquiryToken.decode(text.replacingOccurrences(of: "1500000", with: "1"), secrets: [secret]) == nil)
        #expect(CollectionInquiryToken.decode(text, secrets: [CallbackSecret("another_secret")!]) == nil)
    }

    @Test func overLongAndMistypedFieldsAreRefusedAtTheDoor() throws {
        let description = Self.catalog.description(for: "tuition")!
        let reader = CollectionRequestReader(description: description)
        func payment(_ json: String) throws -> CollectionPaymentNotice {
            try reader.payment(try CollectionEnvelope(description: description, body: Array(json.utf8)))
        }
        let base = #""service_code":"S1","paid_at":"2026-09-15T10:21:07+07:00","customer_code":"HS1""#
        #expect(try payment("{\(base),\"transaction_id\":\"T1\",\"amount\":\"500000\"}").amount == 500_000)
        #expect(throws: CollectionInputError(field: "amount", problem: "whole đồng, positive, at most 1000000000000000, digits only")) {
            _ = try payment("{\(base),\"transaction_id\":\"T1\",\"amount\":5e5}")
        }
        #expect(throws: CollectionInputError(field: "transaction_id", problem: "longer than 64 bytes")) {
            _ = try payment("{\(base),\"transaction_id\":\"\(String(repeating: "x", count: 65))\",\"amount\":1}")
        }
        #expect(throws: CollectionInputError(field: "service_code", problem: "letters, digits, '-', '.' or '_' only")) {
            _ = try CollectionEnvelope(description: description, body: Array(#"{"service_code":"S 1"}"#.utf8))
        }
        #expect(CollectionNames.masked("Nguyễn Văn An") == "N***** V** An")
        // One word is masked too; runs of spaces are one separator; letters with combining marks count once.
        #expect(CollectionNames.masked("An") == "A*")
        #expect(CollectionNames.masked("  Lê   Thị  Hoa ") == "L* T** Hoa")
        #expect(CollectionNames.masked("Nguye\u{0302}\u{0303}n Hoa") == "N***** Hoa")
        #expect(CollectionNames.masked("") == "")
    }
}

/// The pure day-file reader.
@Suite struct CollectionDayFileTests {
    @Test func aBankStyleFileIsReadWithItsBOMAndCRLF() throws {
        let layout = CollectionFormatTests.catalog.description(for: "vnbank")!.file
        let text = "\u{FEFF}STT|TRANS_ID|TRANS_TIME|CUSTOMER_CODE|AMOUNT\r\n1|BIDV-1|20260915102107|HS0001|1500000\r\n"
        let lines = try CollectionDayFile.parse(Array(text.utf8), layout: layout, file: "bidv.txt")
        #expect(lines.count == 1 && lines[0].amount == 1_500_000 && lines[0].transactionID == "BIDV-1")
        #expect(VietnamTime.date(of: lines[0].paidAt).iso == "2026-09-15")
        #expect {
            _ = try CollectionDayFile.parse(Array((text + "2|BIDV-1|20260915102107|HS0002|1\r\n").utf8), layout: layout, file: "bidv.txt")
        } throws: { error in "\(error)" == "bidv.txt:3: TRANS_ID: 'BIDV-1' listed twice" }
        // A damaged line (NUL in a code: no text column can store it) fails the whole file, naming line and field.
        #expect {
            _ = try CollectionDayFile.parse(Array((text + "2|BIDV-2|20260915102107|HS\u{0}0002|1\r\n").utf8), layout: layout, file: "bidv.txt")
        } throws: { error in "\(error)" == "bidv.txt:3: CUSTOMER_CODE: holds the control character U+0000" }
        #expect {
            _ = try CollectionDayFile.parse(Array((text + "2|BIDV-2\u{1B}|20260915102107|HS0002|1\r\n").utf8), layout: layout, file: "bidv.txt")
        } throws: { error in "\(error)" == "bidv.txt:3: TRANS_ID: holds the control character U+001B" }
        // A line only we have is written back in the bank's layout and time format.
        let ours = CollectionDifference(kind: .oursOnly, transactionID: "BIDV-9", customerCode: "HS0002", bankAmount: nil, ourAmount: 700_000,
                                        paidAtText: "2026-09-15T03:21:07Z", bankFields: nil)
        #expect(CollectionDayFile.differencesFile([ours], layout: layout)
                == "STT|TRANS_ID|TRANS_TIME|CUSTOMER_CODE|AMOUNT|difference\r\n|BIDV-9|20260915102107|HS0002|700000|ours_only\r\n")
    }
}
