import FerryWeb

/// What the drops service refuses, in its own terms; ``DropError/httpError`` is the one place
/// that turns them into answers.
enum DropError: Error, Sendable, Equatable {
    /// No such upload for this caller (never someone else's).
    case uploadNotFound
    case uploadExpired
    /// `Upload-Offset` differs from the server's.
    case offsetMismatch(expected: Int64)
    /// Another request is appending to the upload.
    case uploadBusy
    /// More bytes than `Upload-Length` left room for.
    case beyondLength
    case checksumMismatch
    /// An upload or a drop larger than `maxDropSize`.
    case tooLarge(limit: Int64)
    case metadataTooLarge(limit: Int)
    case tooManyFiles(limit: Int)
    /// A final concatenation names uploads of the caller that are not complete parts.
    case concatenationInvalid(String)
    case storageFull
    case proofRefused
    case proofMissing
    case ticketRefused
    case tooManyProofAttempts(retryAfter: Int)
    case dropNotFound
    /// A revoked drop stays revoked: its expiry and limit no longer change.
    case revokedDropUnchangeable
    case fileNotFound
    /// A request document breaks the rules, field by field.
    case invalid([HTTPError.FieldError])
}
