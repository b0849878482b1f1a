import Foundation
import Testing
@testable import BankFormats

@Suite struct CallbackCatalogTests {
    @Test func loadsEveryProviderOfTheRepository() {
        #expect(CallbackFixtures.catalog.providers == ["casso", "momo", "payos", "sepay", "sepay-hmac", "tuition", "vnpay"])
        #expect(CallbackFixtures.catalog.description(for: "nobody") == nil)
        #expect(CallbackFixtures.description("vnpay").transport == .getQuery)
    }

    /// The code's constant for our own scheme and the data file agree.
    @Test func tuitionDescriptionMatchesTheSchemeInCode() {
        #expect(CallbackFixtures.description("tuition").signature == .timestampedHMAC(TuitionSignature.scheme))
    }

    static func fileText(_ provider: String) throws -> String {
        try String(contentsOf: CallbackFixtures.directory.appendingPathComponent("\(provider).json"), encoding: .utf8)
    }

    /// Loads `provider`'s file with `old` replaced by `new` (which must occur) and returns the error.
    func loadError(_ provider: String, _ old: String, _ new: String, fileName: String? = nil) throws -> CallbackCatalogError? {
        let text = try Self.fileText(provider)
        guard let range = text.range(of: old) else { throw CallbackProviderTests.TestFailure("'\(old)' not in \(provider).json") }
        let changed = text.replacingCharacters(in: range, with: new)
        do {
            _ = try CallbackProviderDescription.load(Array(changed.utf8), fileName: fileName ?? "\(provider).json")
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownKeysAreRefusedByName() throws {
        #expect(try loadError("tuition", "\"transport\"", "\"colour\": \"red\",\n  \"transport\"")
            == CallbackCatalogError(file: "tuition.json", key: "colour", problem: "unknown key"))
        #expect(try loadError("tuition", "\"algorithm\": \"sha256\"", "\"algorithm\": \"sha256\", \"salt\": \"x\"")
            == CallbackCatalogError(file: "tuition.json", key: "signature.salt", problem: "unknown key"))
        #expect(try loadError("vnpay", "\"divisor\": 100", "\"divisor\": 100, \"round\": true")
            == CallbackCatalogError(file: "vnpay.json", key: "fields.amount.round", problem: "unknown key"))
        #expect(try loadError("momo", "\"name\": \"accessKey\",", "\"name\": \"accessKey\", \"x\": 1,")
            == CallbackCatalogError(file: "momo.json", key: "signature.fields[0].x", problem: "unknown key"))
    }

    @Test func unknownSchemesAndValuesAreRefused() throws {
        let scheme = try loadError("tuition", "\"scheme\": \"timestampedHMAC\"", "\"scheme\": \"rsaSignature\"")
        #expect(scheme?.key == "signature.scheme" && scheme?.problem.hasPrefix("unknown scheme 'rsaSignature'") == true)
        let algorithm = try loadError("payos", "\"algorithm\": \"sha256\"", "\"algorithm\": \"sha1\"")
        #expect(algorithm == CallbackCatalogError(file: "payos.json", key: "signature.algorithm",
                                                  problem: "unknown value 'sha1' (expected one of: sha256, sha512)"))
        let transport = try loadError("sepay", "\"transport\": \"jsonPost\"", "\"transport\": \"xml\"")
        #expect(transport?.key == "transport")
        let format = try loadError("sepay", "\"format\": \"yyyy-MM-dd HH:mm:ss\"", "\"format\": \"dd/MM/yyyy\"")
        #expect(format?.key == "fields.occurredAt.format")
        let offset = try loadError("sepay", "\"utcOffsetMinutes\": 420", "\"utcOffsetMinutes\": 4200")
        #expect(offset?.key == "fields.occurredAt.utcOffsetMinutes")
        let divisor = try loadError("vnpay", "\"divisor\": 100", "\"divisor\": 0")
        #expect(divisor == CallbackCatalogError(file: "vnpay.json", key: "fields.amount.divisor", problem: "0 is outside 1...1000000"))
        let path = try loadError("casso", "\"receivingAccount\": \"data.accountNumber\"", "\"receivingAccount\": \"data..accountNumber\"")
        #expect(path?.key == "fields.receivingAccount")
        let nested = try loadError("vnpay", "\"receivingAccount\": \"vnp_TmnCode\"", "\"receivingAccount\": \"vnp.TmnCode\"")
        #expect(nested?.problem == "'vnp.TmnCode' is a nested path, but a query has only flat parameter names")
    }

    @Test func repliesMustBeComplete() throws {
        let missing = try loadError("sepay", "\"unavailable\": {", "\"unavailableX\": {")
        #expect(missing == CallbackCatalogError(file: "sepay.json", key: "replies.unavailable", problem: "required key is missing"))
        let noContent = try loadError("momo", "\"accepted\": {\n      \"status\": 204\n    }",
                                      "\"accepted\": {\n      \"status\": 204, \"body\": {\"ok\": true}\n    }")
        #expect(noContent?.key == "replies.accepted.body")
    }

    @Test func providerMustMatchTheFileName() throws {
        let error = try loadError("payos", "\"provider\": \"payos\"", "\"provider\": \"payos2\"")
        #expect(error == CallbackCatalogError(file: "payos.json", key: "provider", problem: "'payos2' does not match the file name"))
        let bad = try loadError("payos", "\"provider\": \"payos\"", "\"provider\": \"Pay OS\"", fileName: "x")
        #expect(bad?.key == "provider")
    }

    @Test func samplesAreCheckedAtLoad() throws {
        let amount = try loadError("sepay", "\"amount\": 1500000", "\"amount\": 1500001")
        #expect(amount?.key == "sample.expected")
        let secret = try loadError("casso", "\"secret\": \"mgEx", "\"secret\": \"XgEx")
        #expect(secret == CallbackCatalogError(file: "casso.json", key: "sample",
                                               problem: "does not verify: refused: signature does not match any configured secret"))
        let clock = try loadError("tuition", "\"now\": 1789442499", "\"now\": 1789443499")
        #expect(clock?.problem == "does not verify: refused: timestamp is 1030 s old (tolerance 300 s)")
        let status = try loadError("vnpay", "\"vnp_ResponseCode\",\n        \"equals\": \"00\"", "\"vnp_ResponseCode\",\n        \"equals\": 0")
        #expect(status?.key == "fields.success[0].equals")
    }

    @Test func malformedFilesNameTheFile() {
        #expect(throws: CallbackCatalogError(file: "x.json", key: "", problem: "JSON at byte 1: unexpected end of input")) {
            try CallbackProviderDescription.load(Array("{".utf8), fileName: "x.json")
        }
        #expect(throws: CallbackCatalogError(file: "x.json", key: "", problem: "expected an object, found a array")) {
            try CallbackProviderDescription.load(Array("[]".utf8), fileName: "x.json")
        }
    }

    @Test func directoryLoadIgnoresOtherFilesAndFailsOnABrokenDescription() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callbacks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for provider in ["vnpay", "momo"] {
            try Data(Self.fileText(provider).utf8).write(to: directory.appendingPathComponent("\(provider).json"))
        }
        try Data("not json".utf8).write(to: directory.appendingPathComponent("README.md"))
        #expect(try CallbackCatalog.load(directory: directory).providers == ["momo", "vnpay"])
        try Data("{\"provider\": \"broken\"}".utf8).write(to: directory.appendingPathComponent("broken.json"))
        #expect(throws: CallbackCatalogError(file: "broken.json", key: "name", problem: "required key is missing")) {
            try CallbackCatalog.load(directory: directory)
        }
        let missing = directory.appendingPathComponent("missing")
        let unlisted = #expect(throws: CallbackCatalogError.self) { try CallbackCatalog.load(directory: missing) }
        #expect(unlisted?.file == missing.path && unlisted?.key == "")
        #expect(unlisted?.problem.hasPrefix("cannot list the directory: ") == true, "\(String(describing: unlisted))")
    }
}
