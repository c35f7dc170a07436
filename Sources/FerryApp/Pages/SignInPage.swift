/// The sign-in form.
struct SignInPage: IdentityPage {
    static let template = "sign-in"
    let title = "Sign in"
    var state: PageState
    /// Where to go after signing in: a local path, already checked.
    var next: String

    var content: [String: any Sendable] { ["next": next] }
}
