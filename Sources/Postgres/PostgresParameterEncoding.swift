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

    /// Fills the parameter buffer, offsets (-1 for NULL), lengths and formats. The four buffers are
    /// moved out of the connection (an object) into locals for the loop and back after it: every
    /// access to a class's stored property is checked for exclusivity at run time, and the loop
    /// appends to them several times per parameter of every statement a lane sends.
    private func encodeParameters(_ parameters: [PostgresParameter]) throws(PostgresError) {
        var writer = PostgresWireWriter(), offsets: [Int] = [], lengths: [Int32] = [], formats: [Int32] = []
        swap(&writer, &parameterWriter)
        swap(&offsets, &parameterOffsets)
        swap(&lengths, &parameterLengths)
        swap(&formats, &parameterFormats)
        defer {
            swap(&writer, &parameterWriter)
            swap(&offsets, &parameterOffsets)
            swap(&lengths, &parameterLengths)
            swap(&formats, &parameterFormats)
        }
        writer.bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        formats.removeAll(keepingCapacity: true)
        for (index, parameter) in parameters.enumerated() {
            guard let value = parameter.value else {
                offsets.append(-1)
                lengths.append(0)
                formats.append(PostgresFormat.text.rawValue)
                continue
            }
            let start = writer.bytes.count
            let format = value.encodePostgres(into: &writer)
            let length = writer.bytes.count - start
            guard length <= PostgresParameter.valueBytesMax else {
                writer.bytes.removeAll()
                var error = PostgresError(code: .unexpected, serverMessage: "parameter too long")
                error.context = "parameter $\(index + 1) (\(parameter.type)) is \(length) bytes, over the limit of \(PostgresParameter.valueBytesMax)"
                throw error
            }
            writer.append(byte: 0)
            offsets.append(start)
            lengths.append(Int32(length))
            formats.append(format.rawValue)
        }
    }
}
