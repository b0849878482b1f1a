import Foundation
import Glibc
import Testing
@testable import HTTP

@Suite("Signals")
struct SignalTests {
    @Test("SIGTERM shuts a server down gracefully through installSignalHandlers()")
    func sigterm() throws {
        let server = try TestServer()
        try server.server.installSignalHandlers()
        let busy = try RawClient(port: server.port)
        try busy.send("GET /sleep/300 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        #expect(kill(getpid(), SIGTERM) == 0)
        let response = try busy.readResponse()
        #expect(response.bodyText == "slept 300" && response.header("Connection") == "close")
        #expect(eventually { !server.server.isRunning })
        server.server.waitUntilStopped()
    }
}
