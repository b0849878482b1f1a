/// Reads the `fields` object of a description into a `CallbackFieldMapping`.
enum FieldMappingLoader {
    static let amountDivisorMax: Int64 = 1_000_000
    static let separatorBytesMax = 4

    static func load(_ object: inout DescriptionObject, transport: CallbackTransport) throws(CallbackCatalogError) -> CallbackFieldMapping {
        var transactionObject = try object.object("transactionID")
        let idPaths = try paths(&transactionObject, "paths")
        let separator = try transactionObject.optionalString("separator") ?? ""
        guard idPaths.count == 1 || (!separator.isEmpty && separator.utf8.count <= separatorBytesMax) else {
            throw transactionObject.failure("separator", "a composite id needs a separator of 1 to \(separatorBytesMax) bytes")
        }
        try transactionObject.finish()
        var amountObject = try object.object("amount")
        let amount = try amountObject.path("path")
        let divisor = try amountObject.integer("divisor", in: 1...amountDivisorMax)
        try amountObject.finish()
        var timeObject = try object.object("occurredAt")
        let occurredAt = try timeObject.path("path")
        let format = try timeFormat(&timeObject)
        try timeObject.finish()
        var memoObject = try object.object("memo")
        let memo = try memoObject.path("path")
        let memoOptional = try memoObject.bool("optional")
        try memoObject.finish()
        let mapping = CallbackFieldMapping(
            transactionID: idPaths, transactionIDSeparator: separator,
            receivingAccount: try object.path("receivingAccount"),
            virtualAccount: try optionalPath(&object, "virtualAccount"),
            amount: amount, amountDivisor: divisor,
            direction: try direction(&object),
            occurredAt: occurredAt, timeFormat: format, memo: memo, memoOptional: memoOptional,
            payerName: try optionalPath(&object, "payerName"),
            payerAccount: try optionalPath(&object, "payerAccount"),
            payerBank: try optionalPath(&object, "payerBank"),
            success: try success(&object, transport: transport))
        try object.finish()
        if transport == .getQuery, let nested = mapping.allPaths.first(where: { $0.components.count != 1 }) {
            throw object.failure(nil, "'\(nested)' is a nested path, but a query has only flat parameter names")
        }
        return mapping
    }

    private static func paths(_ object: inout DescriptionObject, _ key: String) throws(CallbackCatalogError) -> [CallbackFieldPath] {
        var result: [CallbackFieldPath] = []
        for text in try object.strings(key) {
            do { result.append(try CallbackFieldPath(text)) } catch { throw object.failure(key, error.description) }
        }
        guard !result.isEmpty, result.count <= CallbackFieldPath.componentCountMax else {
            throw object.failure(key, "1 to \(CallbackFieldPath.componentCountMax) paths")
        }
        return result
    }

    private static func optionalPath(_ object: inout DescriptionObject, _ key: String) throws(CallbackCatalogError) -> CallbackFieldPath? {
        try object.optionalString(key) == nil ? nil : try object.path(key)
    }

    private static func timeFormat(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> CallbackTimeFormat {
        let name = try object.string("format")
        let offset = try object.optionalInteger("utcOffsetMinutes")
        switch name {
        case "epochSeconds", "epochMilliseconds", "iso8601":
            guard offset == nil else { throw object.failure("utcOffsetMinutes", "only local patterns take an offset") }
            return name == "iso8601" ? .iso8601 : name == "epochSeconds" ? .epochSeconds : .epochMilliseconds
        default:
            guard let pattern = LocalTimePattern(name) else {
                throw object.failure("format", "'\(name)' is neither epochSeconds, epochMilliseconds, iso8601 nor a pattern with yyyy MM dd HH mm ss once each")
            }
            let limit = Int64(CallbackTimeFormat.utcOffsetMinutesMax)
            guard let offset, (-limit...limit).contains(offset) else {
                throw object.failure("utcOffsetMinutes", "a local pattern needs an offset within ±\(limit) minutes (Vietnam: 420)")
            }
            return .local(pattern, utcOffsetMinutes: Int(offset))
        }
    }

    private static func direction(_ parent: inout DescriptionObject) throws(CallbackCatalogError) -> CallbackFieldMapping.DirectionRule {
        var object = try parent.object("direction")
        let rule: CallbackFieldMapping.DirectionRule
        if let constant = try object.optionalString("constant") {
            guard let direction = CallbackDirection(rawValue: constant) else {
                throw object.failure("constant", "unknown value '\(constant)' (expected incoming or outgoing)")
            }
            rule = .constant(direction)
        } else if try object.optionalBool("fromAmountSign") == true {
            rule = .amountSign
        } else {
            let path = try object.path("path")
            var valuesObject = try object.object("values")
            var values: [String: CallbackDirection] = [:]
            guard case .object(let members) = valuesObject.optionalValueForAll() else { preconditionFailure("checked object") }
            for member in members {
                guard case .string(let text) = member.value, let direction = CallbackDirection(rawValue: text) else {
                    throw valuesObject.failure(member.key, "expected \"incoming\" or \"outgoing\"")
                }
                values[member.key] = direction
            }
            guard !values.isEmpty else { throw valuesObject.failure(nil, "map at least one value") }
            rule = .field(path, values: values)
        }
        try object.finish()
        return rule
    }

    private static func success(
        _ object: inout DescriptionObject, transport: CallbackTransport
    ) throws(CallbackCatalogError) -> [CallbackFieldMapping.SuccessCondition] {
        var conditions: [CallbackFieldMapping.SuccessCondition] = []
        for (index, element) in try object.array("success").enumerated() {
            var condition = try DescriptionObject(element, file: object.file, location: object.key("success[\(index)]"))
            let path = try condition.path("path")
            let expected = try condition.value("equals")
            switch expected {
            case .string: break
            case .number where transport == .jsonPost, .bool where transport == .jsonPost: break
            default: throw condition.failure("equals", "expected a string\(transport == .jsonPost ? ", number or boolean" : " (query values are text)")")
            }
            try condition.finish()
            conditions.append(.init(path: path, equals: expected))
        }
        return conditions
    }
}
