import Foundation
import Glibc
import Postgres
import Testing

/// The embedded cluster's fallback directory sits in the shared temp folder: it is created
/// exclusively and, when it exists already, used only if it is a real directory of ours that no
/// one else can enter.
@Suite struct EmbeddedClusterDirectoryTests {
    func scratch() throws -> String {
        let parent = NSTemporaryDirectory() + "tuition-claim-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        return parent
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = lstat(path, &info)
        return info.st_mode & 0o777
    }

    @Test func createsAPrivateDirectoryAndReusesItsOwn() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/pg"
        try EmbeddedCluster.claimPrivateDirectory(path, allowedOwners: [geteuid()])
        #expect(mode(path) == 0o700)
        try EmbeddedCluster.claimPrivateDirectory(path, allowedOwners: [geteuid()])
    }

    @Test func refusesASymlinkAFileAndAnOpenDirectory() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let elsewhere = parent + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let link = parent + "/link"
        #expect(symlink(elsewhere, link) == 0)
        #expect(throws: EmbeddedClusterError.self) { try EmbeddedCluster.claimPrivateDirectory(link, allowedOwners: [geteuid()]) }
        let file = parent + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: EmbeddedClusterError.self) { try EmbeddedCluster.claimPrivateDirectory(file, allowedOwners: [geteuid()]) }
        let open = parent + "/open"
        #expect(mkdir(open, 0o700) == 0 && chmod(open, 0o777) == 0)
        #expect(throws: EmbeddedClusterError.self) { try EmbeddedCluster.claimPrivateDirectory(open, allowedOwners: [geteuid()]) }
        // Nothing was followed or changed.
        #expect(mode(elsewhere) == 0o700 && mode(open) == 0o777)
    }

    @Test func refusesADirectoryOfAnotherUser() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/theirs"
        #expect(mkdir(path, 0o700) == 0)
        // Only root can hand a directory to someone else; otherwise claim it for a user we are not.
        let stranger: uid_t = geteuid() == 0 ? 65_534 : geteuid() + 1
        if geteuid() == 0 { #expect(chown(path, stranger, gid_t(65_534)) == 0) }
        let owners: [uid_t] = geteuid() == 0 ? [geteuid()] : [stranger]
        #expect(throws: EmbeddedClusterError.self) { try EmbeddedCluster.claimPrivateDirectory(path, allowedOwners: owners) }
    }
}
