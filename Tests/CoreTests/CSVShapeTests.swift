@testable import Core
import Testing

/// How a `CSVShape` bounds its rows: counted in the pattern, or stated by the file's length in Unicode scalars with the
/// row cap following from each column's fewest characters.
@Suite struct CSVShapeTests {
    static let columns: [(name: String, pattern: String, charactersMin: Int)] = [
        ("code", "^[A-Z][0-9]{0,3}$", 1), ("name", "^[^,\"\\r\\n]{0,10}$", 0), ("day", "^[0-9]{2}$", 2),
    ]

    @Test func aCountedShapeStatesItsRowsAndAShapeByLengthItsCharacters() {
        let counted = CSVShape(columns: Self.columns.map { ($0.name, $0.pattern) }, rowsMax: 5)
        #expect(counted.pattern == "^code,name,day(\\r?\\n([A-Z][0-9]{0,3}),([^,\"\\r\\n]{0,10}),([0-9]{2})){0,5}(\\r?\\n)?$")
        #expect(counted.charactersMax == nil && counted.rowsMax == 5)
        // Each row adds at least its line end, two commas, 1 + 0 + 2 characters: 6. The header is 13.
        let byLength = CSVShape(columns: Self.columns, charactersMax: 13 + 6 * 4 + 5)
        #expect(byLength.pattern.contains("([0-9]{2}))*(\\r?\\n)?$") && byLength.rowCharactersMin == 6 && byLength.rowsMax == 4)
        let four = "code,name,day" + String(repeating: "\nA,,01", count: 4)
        #expect(byLength.mismatches(Array(four.utf8), reportedMax: 5).isEmpty)
        #expect(byLength.mismatches(Array((four + "\nB1,x,02").utf8), reportedMax: 5)
                == [CSVShape.Mismatch(line: 6, column: nil, problem: "the file holds more than 42 characters")])
    }

    @Test func theLengthIsCountedInUnicodeScalarsAndNamesTheLineThatPassesIt() {
        let file = Array("ab\nệệ\nc".utf8)
        #expect(file.count == 11 && CSVShape.lineExceeding(7, file) == nil, "7 scalars in 11 bytes")
        // The line end belongs to the line it ends.
        #expect(CSVShape.lineExceeding(6, file) == 3 && CSVShape.lineExceeding(5, file) == 2 && CSVShape.lineExceeding(3, file) == 2)
        #expect(CSVShape.lineExceeding(2, file) == 1)
        #expect(CSVShape.lineExceeding(0, file) == 1)
    }

    @Test func aNegatedClassIsNoAnchor() {
        #expect(CSVShape.field("^[^,a]{0,3}$") == "([^,a]{0,3})")
    }
}
