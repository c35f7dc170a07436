/// Why a write to a streaming response body failed.
public enum HTTPStreamError: Error, Sendable, Equatable {
    /// The handler declared a `Content-Length` and wrote more than that.
    case bodyLongerThanDeclared
}
