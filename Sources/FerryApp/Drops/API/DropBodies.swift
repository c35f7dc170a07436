/// `POST /drops`.
struct NewDropBody: Decodable, Sendable {
    struct Password: Decodable, Sendable {
        var salt: String?
        var iterations: Int?
    }

    var verifier: String?
    var metadata: String?
    var files: [String]?
    var password: Password?
    var expiresIn: Int?
    var maxDownloads: Int?
}

/// `PATCH /drops/{dropID}`.
struct DropChangeBody: Decodable, Sendable {
    var expiresIn: Int?
    var maxDownloads: Int?
}
