import Core
import Foundation

/// Reads `sample`: a signed request, the secret and clock to check it with, and the expected normalised result.
enum SampleLoader {
    static func load(_ object: inout DescriptionObject, provider: String) throws(CallbackCatalogError) -> CallbackSample {
        guard let secret = CallbackSecret(try object.string("secret")) else {
            throw object.failure("secret", "a test secret must be 1 to \(CallbackSecret.bytesMax) bytes")
        }
        var parameters: [String: String] = [:]
        if object.optionalValue("parameters") != nil {
            var parametersObject = try object.object("parameters")
            guard case .object(let members) = parametersObject.optionalValueForAll() else { preconditionFailure("checked object") }
            for member in members {
                guard case .string(let value) = member.value else { throw parametersObject.failure(member.key, "expected a string") }
                parameters[member.key] = value
            }
        }
        let now = Date(timeIntervalSince1970: TimeInterval(try object.integer("now", in: 0...CallbackTimeFormat.epochSecondsMax)))
        var requestObject = try object.object("request")
        let request = try self.request(&requestObject)
        var expectedObject = try object.object("expected")
        let expected = try self.expected(&expectedObject, provider: provider)
        try object.finish()
        return CallbackSample(secret: secret, parameters: parameters, now: now, request: request, expected: expected)
    }

    private static func request(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> CallbackRequest {
        let method = try object.string("method")
        let rawQuery = try object.optionalString("query") ?? ""
        var headers: [CallbackHeader] = []
        for element in try object.array("headers") {
            guard case .array(let pair) = element, pair.count == 2,
                  case .string(let name) = pair[0], case .string(let value) = pair[1] else {
                throw object.failure("headers", "expected [name, value] pairs of strings")
            }
            headers.append(CallbackHeader(name: name, value: value))
        }
        let body = Array((try object.optionalString("body") ?? "").utf8)
        try object.finish()
        do { return try CallbackRequest(method: method, rawQuery: rawQuery, headers: headers, body: body) } catch {
            throw object.failure("query", error.description)
        }
    }

    private static func expected(
        _ object: inout DescriptionObject, provider: String
    ) throws(CallbackCatalogError) -> NormalizedCallbackTransaction {
        let occurredText = try object.string("occurredAt")
        guard let occurredAt = CallbackTimeFormat.iso8601.instant(occurredText) else {
            throw object.failure("occurredAt", "'\(occurredText)' is not an ISO 8601 time with offset")
        }
        let localText = try object.string("localDate")
        guard let localDate = try? CalendarDate(iso: localText) else {
            throw object.failure("localDate", "'\(localText)' is not a date (YYYY-MM-DD)")
        }
        let amount = try object.integer("amount", in: -Money.absoluteDongMax...Money.absoluteDongMax)
        let expected = NormalizedCallbackTransaction(
            provider: provider,
            providerTransactionID: try object.string("providerTransactionID"),
            receivingAccount: try object.string("receivingAccount"),
            virtualAccount: try object.optionalString("virtualAccount"),
            amount: amount,
            direction: try object.choice("direction", CallbackDirection.self),
            occurredAt: occurredAt, localDate: localDate,
            memo: try object.string("memo"),
            payerName: try object.optionalString("payerName"),
            payerAccount: try object.optionalString("payerAccount"),
            payerBank: try object.optionalString("payerBank"),
            succeeded: try object.bool("succeeded"))
        try object.finish()
        return expected
    }
}
