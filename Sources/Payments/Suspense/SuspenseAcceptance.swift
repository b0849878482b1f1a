import Billing
import Core
import Ledger
import Postgres

/// Accepting one of the matcher's ranked proposals for a transaction in the queue: the one rule behind
/// `tuition suspense accept` and the console's "accept" button, so both apply exactly what was proposed.
extension Suspense {
    /// Proposal numbers start at 1 (best first), as the listing shows them.
    public static let proposalRankMax = 100

    /// Applies proposal `rank` of the transaction as it is proposed now (the proposals are decided again, so an
    /// invoice paid meanwhile is not paid twice). Nil when the transaction has nothing in suspense or no such proposal.
    public static func accept(school: School, transactionID: Int64, rank: Int, explanation: String?, recordedBy: String,
                              on connection: PostgresConnection) throws(SuspenseError) -> PaymentApplicationResult? {
        try SuspenseError.wrapping { () throws -> PaymentApplicationResult? in
            guard let proposal = try proposal(school: school, transactionID: transactionID, rank: rank, on: connection) else { return nil }
            let request = SuspenseApplicationRequest(allocations: proposal.allocations, credit: proposal.credit,
                                                     creditStudentID: proposal.creditStudentID,
                                                     explanation: explanation ?? "Đề xuất \(rank): \(proposal.explanation)")
            return try apply(schoolID: school.id, transactionID: transactionID, request, recordedBy: recordedBy, on: connection)
        }
    }

    /// Proposal `rank` (from 1) of the transaction as decided now; nil when there is none.
    public static func proposal(school: School, transactionID: Int64, rank: Int,
                                on connection: PostgresConnection) throws -> SuspenseProposal? {
        guard (1...proposalRankMax).contains(rank),
              let entry = try entry(school: school, transactionID: transactionID, on: connection), rank <= entry.proposals.count else {
            return nil
        }
        return entry.proposals[rank - 1]
    }
}
