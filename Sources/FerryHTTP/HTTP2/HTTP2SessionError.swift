/// Why an HTTP/2 session could not be set up.
enum HTTP2SessionError: Error {
    case outOfMemory
    /// The `HTTP2-Settings` of an `Upgrade: h2c` request were not a valid SETTINGS payload.
    case badUpgradeSettings
}
