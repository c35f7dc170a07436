import Crypto
import FerryApp
import FerryServer
import Foundation

/// A live server with one user and a write-scope API token, for the tests that need a real route
/// reading a JSON body: `PUT /api/v1/devices/{deviceID}` (signed in; JSON `{name, publicKey}`;
/// 16 KiB body limit; 201 when it registers the device, 200 when it renames it, 400 with JSON
/// Pointers for bad members).
struct DeviceRoute: Sendable {
    let live: LiveServer
    /// The user's API token (scope `write`).
    let token: String
    /// The route's body limit (`GatedRoutes.defaultMaxBodySize`).
    static let maxBodySize = 16 * 1024

    static func start() async throws -> DeviceRoute {
        let live = try await LiveServer.start { configuration in
            configuration.identity.passwordParameters = .testing
        }
        let service = live.server.identity
        let user = try await service.createUser(
            email: "dev@example.org", displayName: "Dev", password: "correct horse battery", isAdmin: false,
            context: .commandLine())
        let token = try await service.createToken(
            for: user.id, name: "tests", scopes: ["write"], expiresInDays: nil, context: .commandLine())
        return DeviceRoute(live: live, token: token.secret)
    }

    /// A new device id: 16 random bytes in base64url (22 characters).
    static func newDeviceID() -> String {
        base64URL(Data((0..<16).map { _ in UInt8.random(in: 0...255) }))
    }

    /// A P-256 public key as SubjectPublicKeyInfo in base64url, as the browser exports it.
    static func newPublicKey() -> String {
        base64URL(P256.Signing.PrivateKey().publicKey.derRepresentation)
    }

    /// A valid registration body.
    static func body(name: String = "Laptop") -> String {
        #"{"name":"\#(name)","publicKey":"\#(newPublicKey())"}"#
    }

    /// The request line and headers of a `PUT` to a new device (or `deviceID`), up to the blank line.
    func head(
        deviceID: String = DeviceRoute.newDeviceID(), contentType: String = "application/json",
        _ fields: String
    ) -> String {
        "PUT /api/v1/devices/\(deviceID) HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: \(contentType)\r\n\(fields)\r\n"
    }

    /// A complete `PUT` carrying `body` with a Content-Length.
    func put(_ body: String, deviceID: String = DeviceRoute.newDeviceID(), contentType: String = "application/json")
        -> String
    {
        head(deviceID: deviceID, contentType: contentType, "Content-Length: \(body.utf8.count)\r\n") + body
    }

    func stop() async { await live.stop() }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
