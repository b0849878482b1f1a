import Foundation
@testable import BankFormats

/// Shared fixtures for the callback tests: the repository's descriptions and request helpers.
enum CallbackFixtures {
    /// `bank-formats/callbacks` of this checkout, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bank-formats/callbacks")

    static let catalog: CallbackCatalog = {
        do { return try CallbackCatalog.load(directory: directory) } catch {
            fatalError("the repository's callback descriptions must load: \(error)")
        }
    }()

    static func description(_ provider: String) -> CallbackProviderDescription {
        guard let description = catalog.description(for: provider) else { fatalError("no description for \(provider)") }
        return description
    }

    static func secret(_ text: String) -> CallbackSecret {
        guard let secret = CallbackSecret(text) else { fatalError("test secrets are non-empty") }
        return secret
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `request` with header `name` replaced by `value` (or removed when `nil`).
    static func replacingHeader(_ request: CallbackRequest, _ name: String, with value: String?) -> CallbackRequest {
        var copy = request
        copy.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value { copy.headers.append(CallbackHeader(name: name, value: value)) }
        return copy
    }

    /// The sample's body with the first occurrence of `old` replaced by `new`.
    static func replacingInBody(_ request: CallbackRequest, _ old: String, _ new: String) -> CallbackRequest {
        var copy = request
        let text = String(decoding: request.body, as: UTF8.self)
        guard let range = text.range(of: old) else { fatalError("'\(old)' is not in the body") }
        copy.body = Array(text.replacingCharacters(in: range, with: new).utf8)
        return copy
    }

    static func verdict(_ description: CallbackProviderDescription, _ request: CallbackRequest,
                        secrets: [CallbackSecret]? = nil, now: Date? = nil) -> SignatureVerdict {
        let sample = description.sample
        return description.signature.verify(
            request, credentials: CallbackCredentials(secrets: secrets ?? [sample.secret], parameters: sample.parameters),
            now: now ?? sample.now)
    }
}

extension CallbackFixtures {
    /// Lower-case hex HMAC-SHA512 of exactly `message` (the test target does not import Crypto itself).
    static func hexHMACSHA512(key: CallbackSecret, message: [UInt8]) -> String {
        SignatureScheme.hexMAC(.sha512, key: key, message: message)
    }
}
