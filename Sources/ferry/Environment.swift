import Foundation

/// Reads `FERRY_*` environment variables as option defaults.
enum Environment {
    /// `getenv`, not `ProcessInfo.environment`: argument parsing evaluates every option's default
    /// several times, and each `environment` call copies the whole environment into a new
    /// dictionary (a fifth of the CPU of starting a debug build of `ferry serve`).
    static func string(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }
}
