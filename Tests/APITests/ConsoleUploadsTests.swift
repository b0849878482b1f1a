@testable import API
import Foundation
import Postgres
import Testing
import TestSupport

/// `console_uploads` through its owner, on real PostgreSQL: an upload is found only by the session, school and kind that
/// kept it, once, while fresh; a school's waiting uploads stay within their count and byte bounds.
@Suite struct ConsoleUploadsTests {
    func keep(_ server: APITestServer, _ kind: ConsoleUploads.Kind = .roster, school: Int64? = nil, owner: String = "csrf-a",
              content: [UInt8] = [1, 2, 3]) throws -> String {
        try server.pool.withConnection { connection in
            try ConsoleUploads.keep(kind, schoolID: school ?? server.ownSchool.id, owner: owner, fileName: "lop1.csv", content: content,
                                    bankAccount: kind == .statement ? "1111222233" : nil, format: kind == .statement ? "auto" : nil,
                                    uploadedBy: "user ketoan", on: connection)
        }
    }

    func take(_ server: APITestServer, _ id: String, _ kind: ConsoleUploads.Kind = .roster, school: Int64? = nil,
              owner: String = "csrf-a") throws -> ConsoleUploads.Upload? {
        try server.pool.withConnection {
            try ConsoleUploads.take(kind, schoolID: school ?? server.ownSchool.id, uploadID: id, owner: owner, on: $0)
        }
    }

    func waiting(_ server: APITestServer) throws -> Int64 {
        try server.pool.withConnection { try $0.query("SELECT count(*) FROM console_uploads").singleRow()!.decode(column: 0, as: Int64.self) }
    }

    @Test func anUploadIsTakenOnceByItsSessionSchoolAndKind() throws {
        let server = try APITestServer()
        let id = try keep(server)
        #expect(try take(server, id, owner: "csrf-b") == nil, "another session")
        #expect(try take(server, id, school: server.otherSchool.id) == nil, "another school")
        #expect(try take(server, id, .statement) == nil, "a roster is not a statement")
        #expect(try take(server, "not-an-upload-id-at-all") == nil)
        let taken = try #require(try take(server, id))
        #expect(taken.content == [1, 2, 3] && taken.fileName == "lop1.csv" && taken.bankAccount == nil)
        #expect(try take(server, id) == nil, "used once")

        let statement = try keep(server, .statement)
        #expect(try take(server, statement, .statement)?.bankAccount == "1111222233")
        #expect(try waiting(server) == 0)
    }

    @Test func anUploadPastItsLifetimeIsNotFoundAndIsPruned() throws {
        let server = try APITestServer()
        let old = try keep(server)
        try server.pool.withConnection { connection in
            try connection.query("UPDATE console_uploads SET created_at = now() - make_interval(secs => \(ConsoleUploads.lifetimeSeconds + 1))")
        }
        let fresh = try keep(server)
        #expect(try waiting(server) == 1, "keeping a new upload forgets the stale one")
        #expect(try take(server, old) == nil)
        #expect(try take(server, fresh) != nil)
    }

    @Test func aSchoolKeepsAtMostItsCountAndBytesTheNewestStaying() throws {
        let server = try APITestServer()
        let first = try keep(server)
        for _ in 0..<ConsoleUploads.perSchoolMax { _ = try keep(server) }
        #expect(try waiting(server) == Int64(ConsoleUploads.perSchoolMax), "the oldest goes when the school's count is full")
        #expect(try take(server, first) == nil)
        let elsewhere = try keep(server, school: server.otherSchool.id)
        #expect(try waiting(server) == Int64(ConsoleUploads.perSchoolMax + 1), "another school's uploads count apart")
        #expect(try take(server, elsewhere, school: server.otherSchool.id) != nil)

        // The byte bound, with a small limit so the test stays small: the newest stays even when alone above it.
        let big = try keep(server, content: [UInt8](repeating: 7, count: 600))
        let bigger = try keep(server, content: [UInt8](repeating: 8, count: 700))
        try server.pool.withConnection { try ConsoleUploads.prune(schoolID: server.ownSchool.id, bytesMax: 1_000, on: $0) }
        #expect(try take(server, big) == nil, "600 + 700 bytes exceed 1,000: the older goes")
        #expect(try take(server, bigger)?.content.count == 700)
    }
}
