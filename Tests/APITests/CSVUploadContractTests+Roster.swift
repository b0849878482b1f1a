@testable import API
@testable import Billing
import Core
import Foundation
import Testing
import TestSupport

/// The roster the API takes (`RosterImport.apiFile`): the door takes exactly what the stated pattern and length allow, and
/// every file of that shape imports, or is refused 409 for the school's state or the clock — never 422 — unless it names a
/// student code twice, the one contradiction a pattern cannot state.
extension CSVUploadContractTests {
    static let rosterHeader = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key"
    static let rosterLine = "HS001,Lê Thị Na,2019-03-02,1A1,1,Lê Văn Cha,0912345678,GD1"

    /// Lines near the shape's edges: good rows and ones off by one character or one rule.
    static let rosterLines = [
        rosterHeader, rosterLine, "a,B,1940-01-01,x,0,,,", "HS2,Đỗ,2999-12-31,Ệ,12,,+12345678,", "HS3,9,1940-02-29,1,05,,123456789012345,k",
        String(repeating: "A", count: 32) + ",A" + String(repeating: "ệ", count: 99) + ",2000-02-29,"
            + String(repeating: "C", count: 20) + ",1," + String(repeating: "g", count: 100) + ",," + String(repeating: "f", count: 64),
        String(repeating: "A", count: 33) + ",An,2019-03-02,1A1,1,,,", "HS1,A" + String(repeating: "ệ", count: 100) + ",2019-03-02,1A1,1,,,",
        "HS1,An,2019-03-02," + String(repeating: "C", count: 21) + ",1,,,", "HS1,An,2019-03-02,1A1,1," + String(repeating: "g", count: 101) + ",,",
        "HS1,An,2019-03-02,1A1,1,,," + String(repeating: "f", count: 65), "HS1,An,1939-12-31,1A1,1,,,", "HS1,An,1900-02-29,1A1,1,,,",
        "HS1,An,2019-02-29,1A1,1,,,", "HS1,An,02/03/2019,1A1,1,,,", "HS1,An,2019-3-02,1A1,1,,,", "HS1,An,2019-03-02,1A1,13,,,",
        "HS1,An,2019-03-02,1A1,001,,,", "HS1,An,2019-03-02,1A1,,,,", "HS1,An,2019-03-02,,1,,,", "HS1,,2019-03-02,1A1,1,,,",
        "HS1, An,2019-03-02,1A1,1,,,", "HS1,-An,2019-03-02,1A1,1,,,", "HS1,An,2019-03-02, 1A1,1,,,", "HS1,An,2019-03-02,1A1,1,,0912 345 678,",
        "HS1,An,2019-03-02,1A1,1,,1234567,", "HS1,An,2019-03-02,1A1,1,,++12345678,", "HS1,\"An\",2019-03-02,1A1,1,,,",
        "HS1,An \"Na\",2019-03-02,1A1,1,,,", "HS1,An,2019-03-02,1A1,1,,,GD\u{1}1", "HS1,An,2019-03-02,1A1,1,,", "HS1,An,2019-03-02,1A1,1,,,,",
        " HS1,An,2019-03-02,1A1,1,,,", "Mã HS,Họ và tên,Ngày sinh,Lớp,Khối,Phụ huynh,SĐT,Mã gia đình", rosterHeader + ",virtual_account",
        "HS1,An\tNa\u{85}B\u{2028}C\u{A0}D,2019-03-02,1A\u{B}1,1,G\u{C}H,,\u{301}K\u{212A}😀", "",
    ]

    @Test func theRosterDoorTakesExactlyWhatThePatternStates() throws {
        let shape = RosterImport.apiFile
        try Self.expectDoorIsPattern(shape, lines: Self.rosterLines, seed: 16)
        #expect(shape.pattern.contains(")*(") && !shape.pattern.contains("{0,\(shape.rowsMax)}"), "rows stated by length, not counted")
        #expect(Self.firstLine(shape, Array((Self.rosterHeader + "\r\n" + Self.rosterLine + "\r\n").utf8)) == nil)
        // The file's length is the bound: at the cap it is taken, one character more is refused on the line that passes it.
        let row = "\n" + Self.rosterLine
        let rows = (RosterImport.apiFileCharactersMax - Self.rosterHeader.count) / row.unicodeScalars.count - 1
        var full = Self.rosterHeader + String(repeating: row, count: rows)
        full += "\n" + String(repeating: "x", count: RosterImport.apiFileCharactersMax - full.unicodeScalars.count - 1)
        #expect(full.unicodeScalars.count == RosterImport.apiFileCharactersMax)
        #expect(shape.mismatches(Array(full.utf8), reportedMax: 1).map(\.line) == [rows + 2], "the last line is not a row; the length passes")
        #expect(shape.mismatches(Array((full + "x").utf8), reportedMax: 5).map(\.problem)
                == ["the file holds more than \(RosterImport.apiFileCharactersMax) characters"])
    }

    @Test func theRosterRowCapFollowsFromItsLengthWithinTheImportersCap() throws {
        let shape = RosterImport.apiFile
        #expect(shape.rowCharactersMin == 22 && shape.charactersMax == RosterImport.apiFileCharactersMax)
        #expect(shape.rowsMax == (RosterImport.apiFileCharactersMax - Self.rosterHeader.count) / 22 && shape.rowsMax <= RosterImport.rowsMax)
        // Each column's fewest characters is what its shortest values have: the shortest row is 22 characters with its line end.
        let shortest = "\nA,B,1940-01-01,x,0,,,"
        #expect(shortest.count == shape.rowCharactersMin && Self.firstLine(shape, Array((Self.rosterHeader + shortest).utf8)) == nil)
        var random = SplitMix64(seed: 17)
        let alphabet: [Character] = ["A", "0", "-", ".", "ệ", " ", "+", "/"]
        for column in shape.columns where column.charactersMin > 0 {
            let pattern = try Regex("^" + column.pattern + "$").matchingSemantics(.unicodeScalar)
            for _ in 0..<2_000 {
                let text = String((0..<random.below(column.charactersMin)).map { _ in alphabet[random.below(alphabet.count)] })
                #expect(text.wholeMatch(of: pattern) == nil, "\(column.name): '\(text)' is shorter than \(column.charactersMin)")
            }
        }
        // A file of the most rows the length allows, each the shortest, fits the pattern and the door.
        let most = Self.rosterHeader + String(repeating: shortest, count: shape.rowsMax)
        #expect(most.unicodeScalars.count <= RosterImport.apiFileCharactersMax && Self.firstLine(shape, Array(most.utf8)) == nil)
        #expect(Self.firstLine(shape, Array((most + shortest + shortest).utf8)) != nil)
    }

    @Test func theBirthDatePatternIsWhatTheRosterReads() throws {
        let regex = try Regex(StudentRules.birthDatePattern)
        var day = try CalendarDate(iso: "1900-01-01")
        let last = try CalendarDate(iso: "2999-12-31")
        while day <= last {
            #expect((day.iso.wholeMatch(of: regex) != nil) == (day.year >= StudentRules.birthYearMin), "\(day.iso)")
            day = day.adding(days: 1)
        }
        for text in ["", "1939-12-31", "3000-01-01", "2019-02-29", "1940-02-30", "02/03/2019", "2019-3-02", "2019-03-02 "] {
            #expect(text.wholeMatch(of: regex) == nil, "'\(text)'")
        }
    }

    /// Files of the shape made by `RosterFiles`: each held to the whole pattern, then read as the importer reads it.
    @Test func everyRosterOfTheShapeIsReadWithoutAContentProblem() throws {
        let shape = RosterImport.apiFile
        let whole = try Regex(shape.pattern).matchingSemantics(.unicodeScalar)
        var files = RosterFiles(seed: 18)
        let today = VietnamTime.today
        for _ in 0..<300 {
            let file = files.make(rows: 1 + files.random.below(8), today: today)
            #expect(file.text.wholeMatch(of: whole) != nil && Self.firstLine(shape, Array(file.text.utf8)) == nil, "\(file.text.debugDescription)")
            let records = try RosterCSV.parse(file.text, recordsMax: RosterImport.rowsMax + 1, fieldBytesMax: RosterImport.fieldBytesMax,
                                              columnsMax: RosterImport.columnsMax)
            let header = try RosterHeader(records[0])
            var content: [String] = [], state: [String] = []
            var parsed: [(line: Int, details: StudentDetails)] = []
            for record in records.dropFirst() {
                let row = RosterRowReader.read(record, header: header, level: .primary, today: today)
                content += row.content.map { "\($0.line):\($0.field)" }
                state += row.state.map { "\($0.line):\($0.field)" }
                if let details = row.details { parsed.append((record.line, details)) }
            }
            content += RosterImport.crossRowProblems(parsed, existing: []).content.map { "\($0.line):\($0.field)" }
            #expect(content.isEmpty && state == file.expectedState, "\(file.text.debugDescription): \(content) \(state)")
        }
    }

    @Test func aRosterIsRefusedForItsContentOrForTheSchoolsStateAndGeneratedOnesImport() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        let header = Self.rosterHeader + "\n"
        // Outside the pattern: a people's spreadsheet, a quoted name, dd/MM/yyyy; refused at the door naming the line.
        try Self.expectRefusedAtTheDoor(api, "/students/import", [
            (BillingRosters.spreadsheetBad, ["1:header", "2:full_name", "2:date_of_birth", "3:date_of_birth", "4:date_of_birth"]),
            (header + "HS001,\"Lê Na\",2019-03-02,1A1,1,,,\n", ["2:full_name"])])
        // Within the pattern, the school's level and the clock refuse: 409, every row named.
        let later = VietnamTime.today.adding(days: 1).iso
        let state = try api.postCSV("/students/import", header + "HS001,An,2019-03-02,1A1,7,,,\nHS002,Bình,\(later),1A1,1,,,\nHS003,Chi,2019-03-02,1A1,1,,,\n")
        #expect(state.status == 409 && state.json["code"] as? String == "roster_rows_conflict", "\(state.text)")
        #expect(Self.named(state) == ["2:grade", "3:date_of_birth"], "\(state.text)")
        // A student code twice is the file's own contradiction, which the pattern cannot state: 422, with the rest.
        let twice = try api.postCSV("/students/import", header + "HS001,An,2019-03-02,1A1,1,,,\nHS002,Bình,2019-03-02,1A1,7,,,\nHS001,Chi,2019-03-02,1A1,1,,,\n")
        #expect(twice.status == 422 && twice.json["code"] as? String == "roster_rows_invalid", "\(twice.text)")
        #expect(Self.named(twice) == ["3:grade", "4:student_code"], "\(twice.text)")
        #expect(try api.get("/students").items.isEmpty, "nothing was imported")

        // Generated files of the shape: 200 (imported for real, then again unchanged), or 409 exactly when a row's grade is
        // not a primary school's or its birth is after today.
        var files = RosterFiles(seed: 19)
        for round in 0..<12 {
            let file = files.make(rows: 1 + files.random.below(6), today: VietnamTime.today)
            let answer = try api.postCSV("/students/import", file.text)
            #expect(answer.status == (file.expectedState.isEmpty ? 200 : 409), "round \(round) \(file.text.debugDescription): \(answer.text)")
            if file.expectedState.isEmpty {
                let again = try api.postCSV("/students/import", file.text)
                #expect(again.status == 200 && (again.json["summary"] as? String ?? "").hasPrefix("0 new, 0 updated"), "\(again.text)")
            } else {
                #expect(Self.named(answer) == file.expectedState, "\(answer.text)")
            }
        }
    }
}

/// Roster files of `RosterImport.apiFile`'s shape, built cell by cell from what each column's pattern allows: codes of
/// every allowed character, names and free text of Vietnamese letters, white space of every kind, markup characters,
/// combining marks and characters outside the Basic Multilingual Plane, at lengths up to each column's cap.
struct RosterFiles {
    var random: SplitMix64
    var serial = 0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    struct File {
        var text: String
        /// `line:field` of each row the school (a primary one) or the clock refuses.
        var expectedState: [String]
    }

    static let codeFirst = Array("ABZabz09")
    static let codeRest = Array("AZaz09._/-")
    static let alphanumeric: [Unicode.Scalar] = ["A", "z", "7", "đ", "Đ", "ệ", "Ư", "\u{212A}"]
    static let free: [Unicode.Scalar] = ["a", "Ệ", "ơ", " ", "\t", "<", ">", "&", "'", ";", "\u{85}", "\u{2028}", "\u{A0}", "\u{301}",
                                         "\u{1F600}", "\u{200B}", "\u{FEFF}", "\u{B}", "\u{C}", "\u{3000}"]

    mutating func pick<T>(_ from: [T]) -> T { from[random.below(from.count)] }

    mutating func text(_ first: [Unicode.Scalar]?, restMax: Int) -> String {
        var scalars = String.UnicodeScalarView()
        if let first { scalars.append(pick(first)) }
        let count = random.below(3) == 0 ? restMax : random.below(restMax + 1)
        for _ in 0..<count { scalars.append(pick(Self.free)) }
        return String(scalars)
    }

    mutating func code() -> String {
        serial += 1
        // At most 1 + 20 + 1 + 5 characters; the serial keeps codes apart.
        return String(pick(Self.codeFirst)) + String((0..<random.below(21)).map { _ in pick(Self.codeRest) }) + "-\(serial)"
    }

    mutating func make(rows: Int, today: CalendarDate) -> File {
        var text = CSVUploadContractTests.rosterHeader
        var state: [String] = []
        let first = try! CalendarDate(iso: "1940-01-01"), last = try! CalendarDate(iso: "2999-12-31")
        let span = first.days(until: last)
        for index in 0..<rows {
            let line = index + 2
            // Most births in the past, some after today.
            let birth = random.below(4) == 0 ? first.adding(days: random.below(span + 1)) : first.adding(days: random.below(first.days(until: today) + 1))
            let grade = random.below(3) == 0 ? random.below(13) : 1 + random.below(5)
            if birth > today { state.append("\(line):date_of_birth") }
            if !(1...5).contains(grade) { state.append("\(line):grade") }
            let phone = random.below(2) == 0 ? "" : (random.below(2) == 0 ? "+" : "") + String((0..<(8 + random.below(8))).map { _ in pick(Array("0123456789")) })
            let cells = [code(), self.text(Self.alphanumeric, restMax: 99), birth.iso,
                         self.text(["1", "A", "Ệ", "<", "\u{1F600}"], restMax: 19), grade < 10 && random.below(2) == 0 ? "0\(grade)" : String(grade),
                         self.text(nil, restMax: random.below(2) == 0 ? 0 : 100), phone, self.text(nil, restMax: random.below(2) == 0 ? 0 : 64)]
            text += pick(["\n", "\r\n"]) + cells.joined(separator: ",")
        }
        if random.below(2) == 0 { text += pick(["\n", "\r\n"]) }
        return File(text: text, expectedState: state)
    }
}
