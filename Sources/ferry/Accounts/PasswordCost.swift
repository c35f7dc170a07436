import ArgumentParser
import FerryApp

/// The scrypt cost of new password hashes, log2 of N: `ferry serve --password-cost`, and
/// `FERRY_PASSWORD_COST` for it and for the account commands that set passwords (`admin create`,
/// `user add`, `user password`), so that all of them hash alike.
enum PasswordCost {
    /// `FERRY_PASSWORD_COST`, or the standard cost.
    static var configured: Int { Environment.int("FERRY_PASSWORD_COST") ?? ScryptParameters.standard.logN }

    /// The parameters for `logN`; a usage error naming `option` outside the accepted range.
    static func parameters(_ logN: Int, option: String) throws -> ScryptParameters {
        let range = ScryptParameters.configurableLogN
        guard range.contains(logN) else {
            throw ValidationError(
                "\(option) must be \(range.lowerBound)…\(range.upperBound) (log2 of scrypt's N), got \(logN)")
        }
        return ScryptParameters(logN: logN)
    }

    /// A warning for a cost below the standard one, which only test suites should use.
    static func warning(_ parameters: ScryptParameters) -> String? {
        guard parameters < .standard else { return nil }
        return "password hashes cost scrypt \(parameters) (\(parameters.memoryBytes >> 20) MiB), below the"
            + " standard \(ScryptParameters.standard): cheaper to guess if the database leaks; meant for tests"
    }
}
