/// The sign-in form.
struct SignInPage: IdentityPage {
    static let template = "sign-in"
    let title = "Sign in"
    var state: PageState
    /// Where to go after signing in: a local path, already checked.
    var next: String
    /// No account exists yet: the page says how to make the first one instead of a form nobody
    /// can use.
    var setupNeeded = false

    var content: [String: any Sendable] { ["next": next, "setupNeeded": setupNeeded] }
}
