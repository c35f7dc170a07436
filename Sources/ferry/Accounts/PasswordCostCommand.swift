import ArgumentParser
import FerryApp
import Foundation

/// `ferry admin password-cost`: how long one password hash takes on this machine, to check that
/// the scrypt cost stays in the 50–250 ms band (slow for an attacker, quick for a person).
struct PasswordCostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password-cost", abstract: "Time one password hash with the scrypt parameters in use.")

    @Option(help: "log2 of scrypt's N to time (default: the one Ferry uses, env FERRY_PASSWORD_COST).")
    var logN: Int = PasswordCost.configured

    @Option(help: "Hashes to time; the median is printed.")
    var rounds: Int = 7

    func run() async throws {
        let parameters = try PasswordCost.parameters(logN, option: "--log-n")
        let hasher = PasswordHasher(parameters: parameters, maxConcurrentHashes: 1)
        var times: [Double] = []
        for _ in 0..<max(1, rounds) {
            let start = ContinuousClock.now
            _ = try await hasher.hash("a password of ordinary length")
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        let median = times[times.count / 2]
        print(
            String(
                format: "scrypt %@ (%d MiB): median %.0f ms over %d hashes (min %.0f, max %.0f)",
                parameters.description, parameters.memoryBytes >> 20, median, times.count, times.first!, times.last!))
    }
}
