/// The rich client's page: the browser app that talks to the JSON API.
struct ShellPage: IdentityPage {
    static let template = "app"
    let title = "Ferry"
    var state: PageState
    var userName: String
    /// Whose page this is: the tab's kept transfer rows belong to this user only.
    var userID: String

    var content: [String: any Sendable] { ["userName": userName, "userID": userID] }
}
