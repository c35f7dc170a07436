import FerryStore
import FerryWeb

extension StoreError {
    /// The precise answer for a refused change.
    var httpError: HTTPError {
        switch self {
        case .emailTaken: HTTPError(.conflict, detail: "A user with this email already exists.", type: "email-taken")
        case .teamNameTaken:
            HTTPError(.conflict, detail: "A team with this name already exists.", type: "team-name-taken")
        case .alreadyMember:
            HTTPError(.conflict, detail: "This user is already a member of the team.", type: "already-member")
        case .lastOwner:
            HTTPError(
                .conflict, detail: "A team must keep at least one owner; make someone else owner first.",
                type: "last-owner")
        case .lastAdmin:
            HTTPError(
                .conflict, detail: "The server must keep at least one enabled admin; make someone else admin first.",
                type: "last-admin")
        case .notFound: HTTPError(.notFound, detail: "There is no such thing here.", type: "not-found")
        case .deviceKeyMismatch:
            HTTPError(
                .conflict, detail: "This device id is registered with another key; a new key needs a new device id.",
                type: "device-key-changed")
        case .inviteInvalid:
            HTTPError(.gone, detail: "This invite has expired, been used up or been revoked.", type: "invite-invalid")
        case .setupTokenInvalid:
            HTTPError(
                .forbidden, detail: "This setup link is unknown or was already used.", type: "setup-token-invalid")
        case .quotaExceeded(let team, let left, let quota):
            HTTPError(
                .insufficientStorage,
                detail:
                    "This needs more than \(team ? "your team's" : "your") storage quota has left: "
                    + "\(ByteCount.text(left)) of \(ByteCount.text(quota)) (drops and unfinished uploads count). "
                    + "Delete drops or discard unfinished uploads first.",
                type: "quota-exceeded")
        case .uploadNotReady:
            HTTPError(
                .conflict, detail: "Every file must be a complete upload, not a part of one.",
                type: "upload-not-ready")
        case .dropUnavailable(let state): state.httpError
        case .invalidDatabaseURL, .schemaTooNew:
            HTTPError(.internalServerError, detail: "The store is misconfigured.")
        }
    }
}

/// Runs a store call, turning its refusals into precise HTTP errors.
func storeCall<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as StoreError {
        throw error.httpError
    }
}
