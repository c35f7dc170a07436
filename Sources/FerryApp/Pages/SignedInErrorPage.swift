import FerryWeb

/// The error page (`Templates/error.mustache`) as a signed-in person meets it on one of the
/// identity pages (a team page they do not own, the admin page without being an admin): with the
/// navigation and "Signed in as", so the error is not a dead end. Errors elsewhere, and for a
/// visitor who is not signed in, are FerryWeb's plain error page.
struct SignedInErrorPage: Page {
    static let template = "error"
    let error: HTTPError
    let state: PageState

    var title: String { error.status.reasonPhrase }

    var values: [String: any Sendable] {
        state.values.merging(
            ["status": error.status.code, "title": error.status.reasonPhrase, "detail": error.detail]
        ) { $1 }
    }
}
