import BankFormats
import Billing
import Core
import Foundation
import Payments
import Postgres
import Reconciliation
import Simulation

/// The bank side of the demo: most transfers arrive as signed callbacks (through the same ingest as
/// `POST /v1/callbacks/tuition`); the bank's end-of-month statement lists them all, plus a bank fee,
/// so importing it confirms the callbacks and catches the ones that never came.
enum DemoBank {
    /// One transfer in seven never reaches us as a callback (a bank outage, a lost webhook).
    static let missedPerSeven = 1

    struct Delivered {
        var accepted = 0
        var applied = 0
        var inSuspense = 0
        var missed = 0
    }

    static func deliverCallbacks(_ transfers: [LabelledTransfer], school: DemoSchool, ingest: CallbackIngest) -> Delivered {
        var delivered = Delivered()
        for (index, transfer) in transfers.enumerated() {
            if index % 7 < missedPerSeven {
                delivered.missed += 1
                continue
            }
            let body = Array(callbackBody(transfer.transaction, school: school).utf8)
            let timestamp = Int64(Date().timeIntervalSince1970)
            let signature = TuitionSignature.sign(secret: CallbackSecret(school.connectionSecret)!, timestamp: timestamp, body: body)
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "Content-Type", value: "application/json"),
                                                                     CallbackHeader(name: TuitionSignature.header, value: signature)], body: body)
            let result = ingest.handle(CallbackDelivery(provider: "tuition", request: request, requestID: "demo-\(transfer.transaction.id)"))
            guard result.outcome == .accepted else { continue }
            delivered.accepted += 1
            if result.reason?.hasPrefix("applied") == true { delivered.applied += 1 } else { delivered.inSuspense += 1 }
        }
        return delivered
    }

    /// One in three invoices still open at the month's end is paid in cash at the counter, in full.
    static func payInCash(school: DemoSchool, month: CalendarMonth, pool: PostgresPool) throws -> (count: Int, total: Money) {
        let open = try pool.withConnection { try InvoiceQueries.unpaid(schoolID: school.school.id, studentIDs: nil, on: $0) }
        var count = 0
        var total = Money.zero
        for (index, invoice) in open.enumerated() where index % 3 == 0 {
            _ = try pool.transaction(isolation: .readCommitted) { connection in
                try CashReceipts.record(CashPayment(schoolID: school.school.id, studentIDs: [invoice.studentID], amount: invoice.outstanding,
                                                    payerName: "Phụ huynh em \(invoice.studentName)", receivedOn: month.lastDay,
                                                    allocations: nil, recordedBy: "Kế toán (demo)",
                                                    paymentKey: "demo-cash-\(invoice.id)"), on: connection)
            }
            count += 1
            total = try total.adding(invoice.outstanding)
        }
        return (count, total)
    }

    static func callbackBody(_ transaction: MatchTransaction, school: DemoSchool) -> String {
        var object: [String: Any] = [
            "transaction_id": "DEMO-\(transaction.id)", "account_number": school.bankAccountNumber, "amount": transaction.amount.dong,
            "direction": "in", "booked_at": transaction.bookingDate.iso + "T10:15:00+07:00", "memo": transaction.memo,
        ]
        if let payer = transaction.payerName { object["payer_name"] = payer }
        if let account = transaction.virtualAccount { object["virtual_account"] = account }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The month's MT940 statement for the school's account: every transfer, a bank fee, balances.
    static func statement(_ transfers: [LabelledTransfer], school: DemoSchool, month: CalendarMonth) -> String {
        var lines = [
            "{1:F01BFTVVNVXAXXX0000000000}{2:O9400000\(yymmdd(month.lastDay))BFTVVNVXAXXX00000000000000000000N}{4:",
            ":20:DEMO\(school.simulated.index + 1)-\(month.iso)", ":25:\(school.bankAccountNumber)", ":28C:\(month.month)/1",
            ":60F:C\(yymmdd(month.firstDay.adding(days: -1)))VND0,",
        ]
        var balance: Int64 = 0
        for transfer in transfers.sorted(by: { ($0.transaction.bookingDate, $0.transaction.id) < ($1.transaction.bookingDate, $1.transaction.id) }) {
            let transaction = transfer.transaction
            balance += transaction.amount.dong
            lines.append(":61:\(yymmdd(transaction.bookingDate))\(mmdd(transaction.bookingDate))C\(transaction.amount.dong),NTRFNONREF//FT\(transaction.id)")
            lines += wrapped(":86:" + VietnameseText.asciiFolded(transaction.memo + (transaction.payerName.map { " " + $0 } ?? "")))
        }
        let fee: Int64 = 11_000
        balance -= fee
        lines.append(":61:\(yymmdd(month.lastDay))\(mmdd(month.lastDay))D\(fee),NCHGNONREF//FEE\(month.iso)-\(school.simulated.index + 1)")
        lines.append(":86:Phi dich vu SMS Banking thang \(month.month)/\(month.year)")
        lines.append(":62F:C\(yymmdd(month.lastDay))VND\(balance),")
        lines.append("-}")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `:86:` lines of at most 65 characters, never starting with a colon.
    static func wrapped(_ text: String) -> [String] {
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            var line = String(rest.prefix(65))
            rest = rest.dropFirst(65)
            if !lines.isEmpty && line.hasPrefix(":") { line = " " + line.dropFirst() }
            lines.append(line)
            if lines.count == 6 { break }
        }
        return lines
    }

    static func yymmdd(_ date: CalendarDate) -> String { String(format: "%02d%02d%02d", date.year % 100, date.month, date.day) }
    static func mmdd(_ date: CalendarDate) -> String { String(format: "%02d%02d", date.month, date.day) }
}
