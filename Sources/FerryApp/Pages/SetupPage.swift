/// First run: the form that creates the first admin and team.
struct SetupPage: IdentityPage {
    static let template = "setup"
    let title = "Set up"
    var state: PageState
    var token: String

    var content: [String: any Sendable] { ["action": "/setup/\(token)"] }
}
