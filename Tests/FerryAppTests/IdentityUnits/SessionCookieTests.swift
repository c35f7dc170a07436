import FerryStore
import Foundation
import Testing

@testable import FerryApp

@Suite("Session cookie")
struct SessionCookieTests {
    let signedIn = SignedIn(
        user: User(
            id: UUID(), email: "a@example.org", displayName: "A", isAdmin: false, disabled: false, createdAt: Date()),
        sessionToken: "tok", maxAge: 2_592_000)

    /// Under TLS the `__Host-` prefix: browsers keep such a cookie only if this host set it with
    /// `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant a session.
    @Test func secureUnderTLSOnlyAndAlwaysHttpOnlyLax() {
        let https = IdentityAPI.sessionCookie(signedIn, scheme: "https")
        #expect(https == "__Host-ferry_session=tok; Path=/; Max-Age=2592000; HttpOnly; Secure; SameSite=Lax")
        let http = IdentityAPI.sessionCookie(signedIn, scheme: "http")
        #expect(http == "ferry_session=tok; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax")
        #expect(IdentityAPI.clearedCookie(scheme: "https").contains("Max-Age=0"))
        #expect(IdentityAPI.clearedCookie(scheme: "https").hasPrefix("__Host-ferry_session=;"))
        #expect(IdentityAPI.clearedCookie(scheme: "https").contains("Secure"))
    }
}
