/// Why a write to a streaming response body failed.
public enum HTTPStreamError: Error, Sendable, Equatable {
    /// The handler declared a `Content-Length` and wrote more than that.
    case bodyLongerThanDeclared
    /// A file whose length was promised in the head could not be read to the end.
    case fileUnreadable
}
