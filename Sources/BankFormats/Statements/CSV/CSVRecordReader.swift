import Core

/// The records of a bank CSV statement, read through the one CSV reader (`Core.CSVReader`) from the chunked
/// input: LF or CR LF end a record, a lone CR is data, an empty line is a record of one empty field (the
/// statement parser decides what it means), bounded by `StatementLimits`.
struct CSVRecordReader {
    private let input: ChunkedInput
    private var reader: CSVReader

    init(input: ChunkedInput, delimiter: UInt8, quote: UInt8) {
        self.input = input
        reader = CSVReader(options: CSVOptions(
            separator: delimiter, quote: quote, lineEnds: .lineFeed, skipsBlankLines: false,
            recordBytesMax: StatementLimits.recordBytesMax, fieldsPerRecordMax: StatementLimits.fieldsPerRecordMax,
            linesMax: StatementLimits.textLinesPerFileMax))
    }

    var file: String { input.file }
    var fieldCount: Int { reader.fieldCount }
    /// The line where the current record starts.
    var recordLine: Int { reader.recordLine }

    func field(_ index: Int) -> ArraySlice<UInt8> {
        reader.field(index)
    }

    /// Reads the next record; false at the end of the input.
    mutating func next() throws -> Bool {
        do {
            while true {
                if input.available == 0 {
                    guard try input.fill() else { return try reader.finish() }
                }
                let (next, ended) = try input.bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
                    try reader.scan(buffer, from: input.start, to: input.end)
                }
                input.start = next
                if ended { return true }
            }
        } catch let error as CSVError {
            throw StatementParseError(error.kind == .syntax ? .syntax : .limit, file: input.file, line: error.line, message: error.problem)
        }
    }
}
