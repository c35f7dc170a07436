import Logging
import Testing

@testable import FerryWeb

@Suite("Access log")
struct AccessLogRedactionTests {
    @Test func secretsInPathsAndQueriesAreNotLogged() {
        let log = AccessLog(
            logger: Logger(label: "test"), secretPathPrefixes: ["/setup/", "/invite/", "/api/v1/invites/"])
        #expect(log.redacted("/invite/Zm9vYmFyYmF6cXV4cXV1eA") == "/invite/…")
        #expect(log.redacted("/api/v1/invites/Zm9vYmFyYmF6/accept") == "/api/v1/invites/…/accept")
        #expect(log.redacted("/setup/c2VjcmV0?x=1") == "/setup/…")
        #expect(log.redacted("/sign-in?next=/account") == "/sign-in")
        #expect(log.redacted("/js/app.js") == "/js/app.js")
        #expect(log.redacted("/invites") == "/invites")
    }
}
