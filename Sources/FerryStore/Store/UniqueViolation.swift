import PostgresNIO
import SQLiteNIO

/// Recognises a unique-constraint violation from either driver, so a race between the check and
/// the insert still ends in the precise error, not a 500.
enum UniqueViolation {
    static func matches(_ error: any Error) -> Bool {
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
            case .constraint: return error.message.contains("UNIQUE")
            default: return false
            }
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        return false
    }
}
