/// `/d/{dropID}`: opens a drop's link for anyone who holds it. The key is in the link's
/// fragment, which the browser never sends, so the server renders the same page for every drop.
struct DropOpenPage: IdentityPage {
    static let template = "drop"
    let title = "A Ferry drop"
    var state: PageState

    var content: [String: any Sendable] { [:] }
}
