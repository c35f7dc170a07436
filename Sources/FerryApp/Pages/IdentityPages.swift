import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// The server-rendered pages of teams and accounts (docs/IDENTITY.md, "Pages"): plain HTML forms
/// that work without JavaScript, over the same ``IdentityService`` as the JSON API.
public struct IdentityPages: Sendable {
    public let service: IdentityService
    public let gate: AccessGate
    public let pages: PageRenderer
    public static let maxFormSize = 16 * 1024

    /// Every page type, for the start-up template check.
    public static let pageTypes: [any Page.Type] = [
        SetupPage.self, SignInPage.self, InvitePage.self, ShellPage.self, AccountPage.self, TeamAdminPage.self,
        AdminUsersPage.self,
    ]

    public init(service: IdentityService, gate: AccessGate, pages: PageRenderer) {
        self.service = service
        self.gate = gate
        self.pages = pages
    }

    public func register(on routes: RouteGroup) {
        registerEntry(on: routes)
        registerAccount(on: routes)
        registerTeamAdmin(on: routes)
        registerAdmin(on: routes)
    }

    /// Registers a page route: the request is identified (and changes origin-checked) first.
    ///
    /// A form's action with no page of its own names the page its form is on (`formOn`: a fixed
    /// path, or a prefix of `path` whose `:parameters` are the action's): a refused form renders
    /// that page again at the action's address, and loading that address later (a reload, a
    /// bookmark, the back button) must show the page again, not 405. So a GET of the action's
    /// address is sent there.
    func page(
        _ routes: RouteGroup, _ method: HTTPRequest.Method, _ path: String, formOn: String? = nil,
        _ handler: @escaping @Sendable (APICall) async throws -> Response
    ) {
        let gate = self.gate
        // An error's page keeps a signed-in person's navigation (SignedInErrorContext).
        routes.on(method, path, maxBodySize: Self.maxFormSize) { request in
            try await handler(gate.identify(request))
        }
        if let formOn, !formOn.contains(":") {
            routes.on(.get, path) { _ in .redirect(to: formOn) }
        } else if let formOn {
            let pattern = formOn.split(separator: "/")
            precondition(path.split(separator: "/").starts(with: pattern))
            routes.on(.get, path) { request in
                // The same segments of the address as sent (the page's ids are the form's). Empty
                // segments are left out, as routing does: "//teams/…" must not become "//teams",
                // which a browser reads as another host.
                let segments = request.path.split(separator: "/")
                return .redirect(to: "/" + segments.prefix(pattern.count).joined(separator: "/"))
            }
        }
    }

    /// The signed-in browser, or nil when the visitor must sign in first.
    static func session(_ call: APICall) -> Principal? {
        guard let principal = call.principal, principal.isSession else { return nil }
        return principal
    }

    /// 303 to the sign-in form, coming back to this page afterwards.
    static func signInFirst(_ call: APICall) -> Response {
        let path = String(call.request.path)
        return .redirect(
            to: "/sign-in?next=\(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")")
    }

    /// 303 back to a page with a fixed notice.
    static func done(_ path: String, _ notice: PageNotice) -> Response {
        .redirect(to: "\(path)?done=\(notice.rawValue)")
    }

    /// The notice a redirect asked for, if it is one of the fixed ones.
    static func notice(_ call: APICall) -> PageNotice? {
        call.request.queryFields["done"].flatMap(PageNotice.init(rawValue:))
    }

    /// Runs a form's action; when it is refused, renders the page again with the error, the
    /// fields in error marked, and the error's status.
    static func form(
        state: PageState, _ action: () async throws -> Response,
        page: (PageState) async throws -> Response
    ) async throws -> Response {
        do {
            return try await action()
        } catch let error as HTTPError where error.status.code < 500 {
            var state = state
            state.error = error
            var response = try await page(state)
            response.status = error.status
            for field in error.headers { response.headers.append(field) }
            return response
        }
    }

    /// A local path to return to after signing in; anything else (another site, `//host`,
    /// backslashes) becomes `/`.
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return "/" }
        return text
    }
}
