import HTTPTypes

/// The HTML error page (`Templates/error.mustache`).
struct ErrorPage: Page {
    static let template = "error"
    let error: HTTPError

    var title: String { error.status.reasonPhrase }

    var values: [String: any Sendable] {
        ["status": error.status.code, "title": error.status.reasonPhrase, "detail": error.detail]
    }
}
