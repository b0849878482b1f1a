import CLibPQ

extension PostgresConnection {
    /// How much of the parameter buffer a connection keeps between statements: a statement with a
    /// larger one (an import's or an audit batch's bodies) gives its memory back when it is sent.
    static let parameterBufferRetainedBytesMax = 1024 * 1024

    /// Runs `body` with libpq's parameter arrays (values, lengths, formats) for `parameters`: each value
    /// written in its wire form (`PostgresEncodable.encodePostgres`) into the connection's one reused
    /// buffer, NUL-terminated since libpq reads text-format values up to their NUL (binary ones by
    /// length). Valid only inside `body`. Throws, before calling `body`, for a value longer than
    /// `PostgresParameter.valueBytesMax`.
    func withEncodedParameters<T>(_ parameters: [PostgresParameter],
                                  _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T) throws(PostgresError) -> T {
        try encodeParameters(parameters)
        defer {
            if parameterWriter.bytes.capacity > PostgresConnection.parameterBufferRetainedBytesMax { parameterWriter = PostgresWireWriter() }
        }
        return parameterWriter.bytes.withUnsafeBufferPointer { buffer in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: parameters.count + 1) { pointers in
                for index in parameters.indices {
                    let offset = parameterOffsets[index]
                    pointers[index] = offset < 0 ? nil : UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                }
                pointers[parameters.count] = nil
                return parameterLengths.withUnsafeBufferPointer { lengths in
                    parameterFormats.withUnsafeBufferPointer { formats in
                        body(UnsafePointer(pointers.baseAddress!), lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    /// Fills the parameter buffer, offsets (-1 for NULL), lengths and formats.
    private func encodeParameters(_ parameters: [PostgresParameter]) throws(PostgresError) {
        parameterWriter.bytes.removeAll(keepingCapacity: true)
        parameterOffsets.removeAll(keepingCapacity: true)
        parameterLengths.removeAll(keepingCapacity: true)
        parameterFormats.removeAll(keepingCapacity: true)
        for (index, parameter) in parameters.enumerated() {
            guard let value = parameter.value else {
                parameterOffsets.append(-1)
                parameterLengths.append(0)
                parameterFormats.append(PostgresFormat.text.rawValue)
                continue
            }
            let start = parameterWriter.bytes.count
            let format = value.encodePostgres(into: &parameterWriter)
            let length = parameterWriter.bytes.count - start
            guard length <= PostgresParameter.valueBytesMax else {
                parameterWriter.bytes.removeAll()
                var error = PostgresError(code: .unexpected, serverMessage: "parameter too long")
                error.context = "parameter $\(index + 1) (\(parameter.type)) is \(length) bytes, over the limit of \(PostgresParameter.valueBytesMax)"
                throw error
            }
            parameterWriter.append(byte: 0)
            parameterOffsets.append(start)
            parameterLengths.append(Int32(length))
            parameterFormats.append(format.rawValue)
        }
    }
}
