import FerryWeb

/// The navigation and "Signed in as" on every HTML error page a signed-in person meets: an address
/// no page has, a team page they do not own, the admin page without being an admin, a form the
/// server refused. The error is then not a dead end. A visitor who is not signed in (no session
/// cookie, or one that ended) gets the plain page.
struct SignedInErrorContext: ErrorPageContext {
    let gate: AccessGate

    func applies(to request: Request) -> Bool {
        request.cookie(IdentityConfiguration.sessionCookieName(scheme: gate.addresses.scheme(of: request))) != nil
    }

    func values(for request: Request) async -> [String: any Sendable] {
        guard let principal = await gate.signedInPrincipal(request) else { return [:] }
        var state = PageState()
        state.principal = principal
        return state.values
    }
}
