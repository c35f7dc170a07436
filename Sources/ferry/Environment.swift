import Foundation

/// Reads `FERRY_*` environment variables as option defaults.
enum Environment {
    static func string(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }
}
