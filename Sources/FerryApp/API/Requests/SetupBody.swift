/// `POST /setup`.
struct SetupBody: Decodable, Sendable {
    var token: String?
    var email: String?
    var displayName: String?
    var password: String?
    var teamName: String?
}
