/// `POST /session`.
struct SignInBody: Decodable, Sendable {
    var email: String?
    var password: String?
}
