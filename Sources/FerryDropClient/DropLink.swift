import FerryDropFormat
import Foundation

/// A drop's link, `SERVER/d/ID#SECRET` (docs/DROPS.md, "The link"): the server's base URL, the
/// drop id and the 16-byte secret that only the link carries.
public struct DropLink: Sendable, Equatable, CustomStringConvertible {
    /// The server's base URL without a trailing slash (it may carry a path prefix).
    public var server: String
    /// The server's name for the drop (base64url of 16 bytes).
    public var id: String
    /// The drop's secret.
    public var secret: [UInt8]

    public init(server: String, id: String, secret: [UInt8]) {
        self.server = Self.trimmedServer(server)
        self.id = id
        self.secret = secret
    }

    /// Parses a link; refuses anything that is not `http(s)://…/d/ID#SECRET` with a well-formed id
    /// and a 16-byte secret.
    public init(parsing text: String) throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let hash = text.firstIndex(of: "#") else {
            throw DropClientError.badLink("the link has no #secret (copy the whole link)")
        }
        let address = String(text[..<hash])
        let fragment = String(text[text.index(after: hash)...])
        guard address.hasPrefix("http://") || address.hasPrefix("https://"),
            let marker = address.range(of: "/d/", options: .backwards)
        else { throw DropClientError.badLink("a drop link looks like https://server/d/ID#SECRET") }
        let id = String(address[marker.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard id.utf8.count == 22, Base64URL.decode(id)?.count == 16 else {
            throw DropClientError.badLink("the drop id in the link is malformed")
        }
        guard let secret = Base64URL.decode(fragment), secret.count == DropFormat.secretLength else {
            throw DropClientError.badLink("the secret after # is malformed (it is 22 characters)")
        }
        self.init(server: String(address[..<marker.lowerBound]), id: id, secret: secret)
    }

    /// The link as text.
    public var description: String { "\(server)/d/\(id)#\(Base64URL.encode(secret))" }

    /// `server` without trailing slashes.
    static func trimmedServer(_ server: String) -> String {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        return server
    }
}
