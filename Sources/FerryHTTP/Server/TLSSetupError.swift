/// Why TLS could not be set up from the given files; each names the file and what is wrong, for a
/// clear message at start (or on reload) instead of a failing handshake later.
public enum TLSSetupError: Error, CustomStringConvertible, Equatable {
    case unusableCertificate(path: String, reason: String)
    case unusableKey(path: String, reason: String)
    case keyDoesNotMatch(certificatePath: String, keyPath: String)

    public var description: String {
        switch self {
        case .unusableCertificate(let path, let reason):
            return "cannot use the TLS certificate \(path): \(reason)"
        case .unusableKey(let path, let reason):
            return "cannot use the TLS private key \(path): \(reason)"
        case .keyDoesNotMatch(let certificatePath, let keyPath):
            return "the TLS private key \(keyPath) does not belong to the certificate \(certificatePath)"
        }
    }
}
