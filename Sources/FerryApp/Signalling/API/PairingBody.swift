/// `POST /pairings` (optional body): who the code is for, in the member's words.
struct PairingBody: Decodable, Sendable {
    var label: String?
}
