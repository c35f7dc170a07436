import HTTPTypes

/// The HTML error page (`Templates/error.mustache`), with what the application's
/// ``ErrorPageContext`` adds (the navigation of a signed-in person).
struct ErrorPage: Page {
    static let template = "error"
    let error: HTTPError
    var context: [String: any Sendable] = [:]

    var title: String { error.status.reasonPhrase }

    var values: [String: any Sendable] {
        context.merging(["status": error.status.code, "title": error.status.reasonPhrase, "detail": error.detail]) {
            $1
        }
    }
}
