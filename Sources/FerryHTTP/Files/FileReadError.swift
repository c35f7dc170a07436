/// Why a slice of a file could not be read for a response whose length was already promised.
public enum FileReadError: Error, Sendable, Equatable {
    /// The file could not be opened or read (`errno`).
    case unreadable(path: String, errno: Int32)
    /// The file ended before the slice did: it shrank after the response's length was decided.
    case shorterThanPromised(path: String)
}
