import FerryStore

/// `Me`: the caller, their teams, and how they are signed in.
struct MeDocument: Encodable, Sendable {
    var user: UserDocument
    var teams: [TeamSummaryDocument]
    var via: String
    var scopes: [Scope]

    init(principal: Principal, teams: [TeamMembership]) {
        user = UserDocument(principal.user)
        self.teams = teams.map(TeamSummaryDocument.init)
        via = principal.isSession ? "session" : "token"
        scopes = principal.scopes.sorted()
    }
}
