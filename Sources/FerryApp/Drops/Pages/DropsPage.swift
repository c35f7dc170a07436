/// `/drops`: a signed-in member creates a drop (files, a folder or a text, encrypted in the
/// browser) and manages their drops. The page's module does the work over the JSON API.
struct DropsPage: IdentityPage {
    static let template = "drops"
    let title = "Drops"
    var state: PageState

    var content: [String: any Sendable] { [:] }
}
