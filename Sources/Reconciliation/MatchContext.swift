import Core
import Synchronization

/// A school's roster and open invoices, indexed once so that matching one transaction costs
/// O(memo length + candidates), never O(students).
///
/// Students and invoices are kept sorted by id and every index lists them in a fixed order,
/// so decisions do not depend on the order the caller passed them in.
public struct MatchContext: Sendable {
    /// Students plus invoices of one school; far above any school, small enough to index in memory.
    public static let recordsMax = 1_000_000

    public let prefix: String
    /// Sorted by id.
    public let students: [MatchStudent]
    /// Sorted by id.
    public let invoices: [MatchInvoice]

    let finder: PaymentCodeFinder
    let codeTargets: [String: CodeTarget]
    let studentByVirtualAccount: [String: Int]
    let studentIndexById: [Int64: Int]
    let invoiceIndexById: [Int64: Int]
    /// Per student index: invoice indices, oldest due first.
    let invoicesOfStudent: [[Int]]
    /// Per family key: student indices by id.
    let membersOfFamily: [String: [Int]]
    /// Built the first time a decision reads names (rules 3–5): a batch whose every transfer names a
    /// code or a virtual account, the usual callback, never pays for it (0.8 % of the server's CPU per callback).
    private let nameIndex = LazyNameIndex()
    /// Per student index: the class name normalised, to tell namesakes apart when a memo writes it.
    let normalizedClasses: [String]
    /// Initial outstanding in đồng → invoice indices, oldest due first.
    let invoicesByOutstanding: [Int64: [Int]]
    /// Sorted distinct amounts a payment could reasonably be: invoices, students' and families' open totals.
    let amountLandmarks: [Int64]
    /// The outstanding amounts as given, by invoice index.
    let initialOutstanding: [Money]

    public init(prefix: String, students: [MatchStudent], invoices: [MatchInvoice]) throws(MatchInputError) {
        guard (try? PaymentCode.validatePrefix(prefix)) != nil, let finder = try? PaymentCodeFinder(prefix: prefix) else {
            throw MatchInputError.invalidPrefix(prefix)
        }
        guard students.count + invoices.count <= MatchContext.recordsMax else {
            throw MatchInputError.tooManyRecords(students.count + invoices.count)
        }
        self.prefix = prefix
        self.finder = finder
        self.students = students.sorted { $0.id < $1.id }
        self.invoices = invoices.sorted { $0.id < $1.id }
        self.studentIndexById = try MatchContext.indexStudents(self.students)
        self.invoiceIndexById = try MatchContext.indexInvoices(self.invoices, studentIndexById: studentIndexById)
        self.codeTargets = try MatchContext.indexCodes(students: self.students, invoices: self.invoices, prefix: prefix)
        self.studentByVirtualAccount = try MatchContext.indexVirtualAccounts(self.students)
        let invoicesOfStudent = MatchContext.groupInvoices(self.invoices, studentIndexById: studentIndexById,
                                                           studentCount: self.students.count)
        self.invoicesOfStudent = invoicesOfStudent
        let sorted = self.students
        let membersOfFamily = Dictionary(grouping: sorted.indices.filter { sorted[$0].familyKey != nil },
                                         by: { sorted[$0].familyKey! })
        self.membersOfFamily = membersOfFamily
        let normalizedClasses = self.students.map { VietnameseText.normalized($0.className) }
        self.normalizedClasses = normalizedClasses
        self.invoicesByOutstanding = MatchContext.indexAmounts(self.invoices)
        self.initialOutstanding = self.invoices.map(\.outstanding)
        self.amountLandmarks = MatchContext.landmarks(invoices: self.invoices, invoicesOfStudent: invoicesOfStudent,
                                                      membersOfFamily: membersOfFamily)
    }

    /// Students by normalised name (`NameIndex`), indexing active students and any who still owe money.
    var names: NameIndex {
        nameIndex.get { NameIndex(students: students, normalizedClasses: normalizedClasses, invoicesOfStudent: invoicesOfStudent,
                                  invoices: invoices) }
    }

    /// A virtual account number as compared: letters and digits only, upper-cased.
    public static func normalizedAccount(_ account: String) -> String {
        String(VietnameseText.normalized(account).filter { $0 != " " })
    }

    /// Invoice indices in the order money is applied: due date, then period, then id.
    func oldestDueFirst(_ indices: [Int]) -> [Int] {
        indices.sorted { MatchContext.isDueBefore(invoices[$0], invoices[$1]) }
    }

    static func isDueBefore(_ a: MatchInvoice, _ b: MatchInvoice) -> Bool {
        if a.dueDate != b.dueDate { return a.dueDate < b.dueDate }
        if a.period != b.period { return a.period < b.period }
        return a.id < b.id
    }

    /// Who holds the excess of money meant for `studentIndices`: their common family, or the one student.
    func creditHolder(for studentIndices: [Int]) -> CreditHolder? {
        guard let first = studentIndices.first else { return nil }
        if let key = students[first].familyKey, studentIndices.allSatisfy({ students[$0].familyKey == key }) {
            return .family(key)
        }
        return studentIndices.allSatisfy({ $0 == first }) ? .student(students[first].id) : nil
    }

    /// All open invoices of a family's members (or of the student alone), oldest due first.
    func familyInvoices(ofStudent studentIndex: Int) -> [Int] {
        guard let key = students[studentIndex].familyKey, let members = membersOfFamily[key] else {
            return invoicesOfStudent[studentIndex]
        }
        return oldestDueFirst(members.flatMap { invoicesOfStudent[$0] })
    }
}

enum CodeTarget: Hashable, Sendable {
    case student(Int)
    case invoice(Int)
}

/// A value made once, on first use, by whichever thread asks first; the others wait for it and share it.
final class LazyNameIndex: Sendable {
    private let index = Mutex<NameIndex?>(nil)

    func get(_ build: () -> NameIndex) -> NameIndex {
        index.withLock { built in
            if let built { return built }
            let made = build()
            built = made
            return made
        }
    }
}
