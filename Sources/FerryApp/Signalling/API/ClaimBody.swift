/// `POST /pairings/claim`.
struct ClaimBody: Decodable, Sendable {
    var code: String?
    var device: Device?

    struct Device: Decodable, Sendable {
        var id: String?
        var name: String?
        var publicKey: String?
    }
}
