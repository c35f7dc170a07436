/// The RFC 9457 problem details document.
struct ProblemDocument: Codable, Sendable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String
    var errors: [HTTPError.FieldError]?
}
