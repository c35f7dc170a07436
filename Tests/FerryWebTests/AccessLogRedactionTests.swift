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

    @Test func pathsTheRouterReadsAlikeAreMaskedAlike() {
        let log = AccessLog(logger: Logger(label: "test"), secretPathPrefixes: ["/d/", "/api/v1/drops/"])
        // The router reads runs of "/" as one: these reach the drop's page and its info.
        #expect(log.redacted("//d/AsVZGvfduuAzz4nYas4o6A") == "/d/…")
        #expect(log.redacted("//api/v1//drops/AsVZGvfduuAzz4nYas4o6A//files/0") == "/api/v1/drops/…/files/0")
        // Dot segments are refused, but a secret may follow them: nothing after the prefix stays.
        #expect(log.redacted("/d/./AsVZGvfduuAzz4nYas4o6A") == "/d/…")
        #expect(log.redacted("/api/v1/drops/../drops/AsVZGvfduuAzz4nYas4o6A") == "/api/v1/drops/…")
        #expect(log.redacted("/api/v1/drops/AsVZGvfduuAzz4nYas4o6A/files/./0") == "/api/v1/drops/…")
        #expect(log.redacted("/api/v1/drops") == "/api/v1/drops")
        // Escapes, and another case of the prefix (a 404, but typed with a secret): masked too.
        #expect(log.redacted("/d/%2e/AsVZGvfduuAzz4nYas4o6A") == "/d/…")
        #expect(log.redacted("/api/v1/drops/%2E%2E/drops/AsVZGvfduuAzz4nYas4o6A") == "/api/v1/drops/…")
        #expect(log.redacted("/D/AsVZGvfduuAzz4nYas4o6A") == "/d/…")
        #expect(log.redacted("/API/V1/Drops/AsVZGvfduuAzz4nYas4o6A/files/1") == "/api/v1/drops/…/files/1")
        // Not a prefix: a letter is not folded onto a non-letter.
        #expect(log.redacted("/dx/AsVZGvfduuAzz4nYas4o6A") == "/dx/AsVZGvfduuAzz4nYas4o6A")
        #expect(log.redacted("/d\u{0301}/AsVZGvfduuAzz4nYas4o6A") == "/d\u{0301}/AsVZGvfduuAzz4nYas4o6A")
    }
}
