import Core

/// Bounds and canonical order of the monthly report's lists.
extension MonthlyReconciliationReport {
    static func validate(_ school: ReportSchool) throws(ReportError) {
        try ReportValidation.text(school.code, "school.code")
        try ReportValidation.text(school.name, "school.name")
        try ReportValidation.text(school.district, "school.district")
    }

    static func canonical(_ accounts: [BankAccountAgreement]) throws(ReportError) -> [BankAccountAgreement] {
        try ReportValidation.count(accounts, max: ReportLimits.bankAccountsMax, "bankAccounts")
        var validated: [BankAccountAgreement] = []
        for (index, account) in accounts.enumerated() { validated.append(try account.validated("bankAccounts[\(index)]")) }
        return validated.sorted { ($0.bankName, $0.accountNumber) < ($1.bankName, $1.accountNumber) }
    }

    static func canonical(_ items: [UnappliedItem], month: CalendarMonth) throws(ReportError) -> [UnappliedItem] {
        try ReportValidation.count(items, max: ReportLimits.unappliedItemsMax, "unapplied")
        for (index, item) in items.enumerated() {
            try ReportValidation.amount(item.amount, "unapplied[\(index)].amount")
            try ReportValidation.optionalText(item.payerName, "unapplied[\(index)].payerName")
            try ReportValidation.optionalText(item.memo, "unapplied[\(index)].memo")
            guard item.bookingDate <= month.lastDay else { throw .dateAfterMonth(field: "unapplied[\(index)].bookingDate", date: item.bookingDate) }
        }
        return items.sorted { a, b in
            if a.bookingDate != b.bookingDate { return a.bookingDate < b.bookingDate }
            if a.transactionId != b.transactionId { return a.transactionId < b.transactionId }
            return (a.amount, a.payerName ?? "", a.memo) < (b.amount, b.payerName ?? "", b.memo)
        }
    }

    static func canonical(_ credits: [FamilyCredit]) throws(ReportError) -> [FamilyCredit] {
        try ReportValidation.count(credits, max: ReportLimits.familyCreditsMax, "familyCredits")
        for (index, credit) in credits.enumerated() {
            try ReportValidation.text(credit.familyKey, "familyCredits[\(index)].familyKey")
            try ReportValidation.optionalText(credit.familyName, "familyCredits[\(index)].familyName")
            try ReportValidation.amount(credit.balance, "familyCredits[\(index)].balance")
        }
        return credits.sorted { a, b in
            if a.balance != b.balance { return a.balance > b.balance }
            return (a.familyKey, a.familyName) < (b.familyKey, b.familyName)
        }
    }

    static func canonical(_ exceptions: ReportExceptions) throws(ReportError) -> ReportExceptions {
        let duplicates = exceptions.likelyDuplicates
        try ReportValidation.count(duplicates, max: ReportLimits.duplicateGroupsMax, "exceptions.likelyDuplicates")
        for (index, group) in duplicates.enumerated() {
            let field = "exceptions.likelyDuplicates[\(index)]"
            try ReportValidation.count(group.transactionIds, max: ReportLimits.transactionsPerDuplicateGroupMax, field + ".transactionIds")
            try ReportValidation.amount(group.amount, field + ".amount")
            try ReportValidation.optionalText(group.payerName, field + ".payerName")
            try ReportValidation.optionalText(group.memo, field + ".memo")
        }
        let far = exceptions.amountsFarFromInvoices
        try ReportValidation.count(far, max: ReportLimits.farAmountsMax, "exceptions.amountsFarFromInvoices")
        for (index, item) in far.enumerated() {
            let field = "exceptions.amountsFarFromInvoices[\(index)]"
            try ReportValidation.amount(item.amount, field + ".amount")
            try ReportValidation.amount(item.nearestBilledAmount, field + ".nearestBilledAmount")
            try ReportValidation.optionalText(item.memo, field + ".memo")
        }
        return ReportExceptions(
            likelyDuplicates: duplicates.sorted { a, b in
                if a.firstBookingDate != b.firstBookingDate { return a.firstBookingDate < b.firstBookingDate }
                return a.transactionIds.lexicographicallyPrecedes(b.transactionIds)
            },
            amountsFarFromInvoices: far.sorted { ($0.bookingDate, $0.transactionId) < ($1.bookingDate, $1.transactionId) })
    }

    static func canonical(_ series: [MonthlyCollection]) throws(ReportError) -> [MonthlyCollection] {
        try ReportValidation.count(series, max: ReportLimits.seriesMonthsMax, "collectionByMonth")
        for (index, entry) in series.enumerated() {
            try ReportValidation.amount(entry.invoiced, "collectionByMonth[\(index)].invoiced")
            try ReportValidation.amount(entry.collected, "collectionByMonth[\(index)].collected")
        }
        let sorted = series.sorted { $0.month < $1.month }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.month == next.month {
            throw .duplicateMonth(field: "collectionByMonth", month: next.month)
        }
        return sorted
    }
}
