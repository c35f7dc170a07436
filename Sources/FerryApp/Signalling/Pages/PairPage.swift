/// `/pair`: where a browser without an account enters a guest pairing code (prefilled from the
/// link a member shared), then shares with that member. The page's module does the rest.
struct PairPage: IdentityPage {
    static let template = "pair"
    let title = "Pair with Ferry"
    var state: PageState

    var content: [String: any Sendable] { [:] }
}
