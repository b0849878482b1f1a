import Core

extension MatchContext {
    /// Existing codes one edit away from a damaged code: one character substituted, or two adjacent ones swapped.
    ///
    /// The check character detects every such edit, so a damaged code is never mistaken for a valid one;
    /// the repair only proposes. The prefix is not edited: the finder found the code by it.
    /// Cost: (code length × alphabet size) dictionary look-ups per damaged code.
    func repairs(of damaged: [DamagedCode]) -> [(signal: RepairSignal, target: CodeTarget)] {
        var results: [(signal: RepairSignal, target: CodeTarget)] = []
        var seen = Set<String>()
        let prefixLength = prefix.utf8.count
        for code in damaged {
            let bytes = Array(code.text.utf8)
            guard bytes.count == code.kind.codeLength(prefixLength: prefixLength) else { continue }
            for variant in MatchContext.oneEditVariants(bytes, editableFrom: prefixLength) {
                let text = String(decoding: variant.bytes, as: UTF8.self)
                guard let target = codeTargets[text], seen.insert(text).inserted else { continue }
                let signal = RepairSignal(
                    damagedText: code.text, repairedCode: text, position: variant.position, edit: variant.edit,
                    studentId: studentId(of: target), invoiceId: invoiceId(of: target))
                results.append((signal, target))
            }
        }
        return results
    }

    static func oneEditVariants(_ bytes: [UInt8], editableFrom start: Int) -> [(bytes: [UInt8], position: Int, edit: RepairEdit)] {
        var variants: [(bytes: [UInt8], position: Int, edit: RepairEdit)] = []
        variants.reserveCapacity((bytes.count - start) * PaymentCode.alphabet.count)
        for position in start..<bytes.count {
            for symbol in PaymentCode.alphabet where symbol != bytes[position] {
                var variant = bytes
                variant[position] = symbol
                variants.append((variant, position, .substitution))
            }
            if position + 1 < bytes.count && bytes[position] != bytes[position + 1] {
                var variant = bytes
                variant.swapAt(position, position + 1)
                variants.append((variant, position, .adjacentTransposition))
            }
        }
        return variants
    }

    func studentId(of target: CodeTarget) -> Int64 {
        switch target {
        case .student(let student): return students[student].id
        case .invoice(let invoice): return invoices[invoice].studentId
        }
    }

    func invoiceId(of target: CodeTarget) -> Int64? {
        if case .invoice(let invoice) = target { return invoices[invoice].id }
        return nil
    }

    func studentIndex(of target: CodeTarget) -> Int {
        switch target {
        case .student(let student): return student
        case .invoice(let invoice): return studentIndexById[invoices[invoice].studentId]!
        }
    }
}
