import Core

/// A CSV record with the file line it starts on (1 = the first line).
struct CSVRecord: Equatable {
    var line: Int
    var fields: [String]
}

/// The records of an upload typed or saved by people (rosters, attendance, the school list), read through the
/// one CSV reader (`Core.CSVReader`) with the options such files need: the separator is the comma, or the
/// semicolon when the first line has semicolons and no commas; CR LF, LF and a lone CR end records; blank
/// lines are skipped; every field, record and the count of records bounded.
enum RosterCSV {
    static func parse(_ text: String, recordsMax: Int, fieldBytesMax: Int, columnsMax: Int) throws(RosterImportError) -> [CSVRecord] {
        let bytes = Array(text.utf8)
        var reader = CSVReader(options: CSVOptions(
            separator: CSVOptions.commaOrSemicolon(firstLineOf: bytes), lineEnds: .lineFeedOrCarriageReturn, skipsBlankLines: true,
            fieldBytesMax: fieldBytesMax, fieldsPerRecordMax: columnsMax))
        var records: [CSVRecord] = []
        do {
            try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
                var index = 0
                while records.count <= recordsMax {
                    let (next, ended) = try reader.scan(buffer, from: index, to: buffer.count)
                    index = next
                    if !ended {
                        guard try reader.finish() else { return }
                    }
                    records.append(CSVRecord(line: reader.recordLine, fields: reader.fields))
                }
            }
        } catch {
            throw .malformedCSV(line: error.line, problem: error.problem)
        }
        guard records.count <= recordsMax else { throw .tooManyRows(max: recordsMax - 1) }
        return records
    }
}
