import Core

/// Building and validating the indices of a `MatchContext`.
extension MatchContext {
    static func indexStudents(_ students: [MatchStudent]) throws(MatchInputError) -> [Int64: Int] {
        var index: [Int64: Int] = [:]
        index.reserveCapacity(students.count)
        for (position, student) in students.enumerated() {
            guard index.updateValue(position, forKey: student.id) == nil else {
                throw MatchInputError.duplicateStudentId(student.id)
            }
        }
        return index
    }

    static func indexInvoices(_ invoices: [MatchInvoice], studentIndexById: [Int64: Int]) throws(MatchInputError) -> [Int64: Int] {
        var index: [Int64: Int] = [:]
        index.reserveCapacity(invoices.count)
        for (position, invoice) in invoices.enumerated() {
            guard index.updateValue(position, forKey: invoice.id) == nil else {
                throw MatchInputError.duplicateInvoiceId(invoice.id)
            }
            guard studentIndexById[invoice.studentId] != nil else {
                throw MatchInputError.invoiceOfUnknownStudent(invoiceId: invoice.id, studentId: invoice.studentId)
            }
            guard invoice.total.isPositive, !invoice.outstanding.isNegative, invoice.outstanding <= invoice.total else {
                throw MatchInputError.invalidInvoiceAmounts(invoiceId: invoice.id)
            }
        }
        return index
    }

    static func indexCodes(
        students: [MatchStudent], invoices: [MatchInvoice], prefix: String
    ) throws(MatchInputError) -> [String: CodeTarget] {
        var targets: [String: CodeTarget] = [:]
        targets.reserveCapacity(students.count + invoices.count)
        for (position, student) in students.enumerated() {
            guard PaymentCode.isValid(student.paymentCode, prefix: prefix) == .student else {
                throw MatchInputError.invalidStudentCode(studentId: student.id, code: student.paymentCode)
            }
            guard targets.updateValue(.student(position), forKey: student.paymentCode) == nil else {
                throw MatchInputError.duplicatePaymentCode(student.paymentCode)
            }
        }
        for (position, invoice) in invoices.enumerated() {
            guard PaymentCode.isValid(invoice.paymentCode, prefix: prefix) == .invoice else {
                throw MatchInputError.invalidInvoiceCode(invoiceId: invoice.id, code: invoice.paymentCode)
            }
            guard targets.updateValue(.invoice(position), forKey: invoice.paymentCode) == nil else {
                throw MatchInputError.duplicatePaymentCode(invoice.paymentCode)
            }
        }
        return targets
    }

    static func indexVirtualAccounts(_ students: [MatchStudent]) throws(MatchInputError) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, student) in students.enumerated() {
            guard let account = student.virtualAccount.map(normalizedAccount), !account.isEmpty else { continue }
            guard index.updateValue(position, forKey: account) == nil else {
                throw MatchInputError.duplicateVirtualAccount(account)
            }
        }
        return index
    }

    static func groupInvoices(_ invoices: [MatchInvoice], studentIndexById: [Int64: Int], studentCount: Int) -> [[Int]] {
        var grouped = [[Int]](repeating: [], count: studentCount)
        for (position, invoice) in invoices.enumerated() {
            grouped[studentIndexById[invoice.studentId]!].append(position)
        }
        for student in grouped.indices where grouped[student].count > 1 {
            grouped[student].sort { isDueBefore(invoices[$0], invoices[$1]) }
        }
        return grouped
    }

    static func indexAmounts(_ invoices: [MatchInvoice]) -> [Int64: [Int]] {
        var index: [Int64: [Int]] = [:]
        for (position, invoice) in invoices.enumerated() where invoice.outstanding.isPositive {
            index[invoice.outstanding.dong, default: []].append(position)
        }
        for key in index.keys where index[key]!.count > 1 {
            index[key]!.sort { isDueBefore(invoices[$0], invoices[$1]) }
        }
        return index
    }

    static func landmarks(invoices: [MatchInvoice], invoicesOfStudent: [[Int]], membersOfFamily: [String: [Int]]) -> [Int64] {
        var amounts = Set<Int64>()
        for invoice in invoices {
            amounts.insert(invoice.total.dong)
            if invoice.outstanding.isPositive { amounts.insert(invoice.outstanding.dong) }
        }
        let studentTotals = invoicesOfStudent.map { $0.reduce(Int64(0)) { saturatingAdd($0, invoices[$1].outstanding.dong) } }
        for total in studentTotals where total > 0 { amounts.insert(total) }
        for members in membersOfFamily.values {
            let total = members.reduce(Int64(0)) { saturatingAdd($0, studentTotals[$1]) }
            if total > 0 { amounts.insert(total) }
        }
        return amounts.sorted()
    }
}

/// Landmark sums only rank amounts; saturating keeps absurd inputs from trapping.
func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int64.max : sum
}
