/// scrypt's cost: N = 2^logN rounds, block size r, parallelism p. Memory is 128 · r · N bytes.
public struct ScryptParameters: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var logN: Int
    public var r: Int
    public var p: Int

    public init(logN: Int, r: Int = 8, p: Int = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// 2^15 · 8 · 128 = 32 MiB and 120–130 ms per hash on the reference machine (2 cores, release
    /// build, `ferry admin password-cost`): inside the 50–250 ms band (2^14 takes ~60 ms, 2^16
    /// ~300 ms). OWASP's equivalents (N=2^15 with p=3, or N=2^17 with p=1) cost about three times as
    /// much, which is past 250 ms on two cores; on a faster server raise it, since each hash
    /// stores its own parameters and older hashes are upgraded at the next sign-in.
    public static let standard = ScryptParameters(logN: 15)
    /// For tests only: fast, and still real scrypt.
    public static let testing = ScryptParameters(logN: 10)
    /// The costs `--password-cost` accepts: 2^10 (1 MiB, a few ms: for test suites, which make
    /// hundreds of accounts) to 2^20 (1 GiB).
    public static let configurableLogN = 10...20

    public var memoryBytes: Int { 128 * r * (1 << logN) }

    /// Work done, to decide whether a stored hash is weaker than the configured one.
    private var cost: Int { (1 << logN) * r * p }

    public static func < (lhs: ScryptParameters, rhs: ScryptParameters) -> Bool { lhs.cost < rhs.cost }

    /// The PHC-style parameter string, `ln=15,r=8,p=1`.
    public var description: String { "ln=\(logN),r=\(r),p=\(p)" }

    /// Parses `ln=15,r=8,p=1`; nil for anything else or for values out of a sane range.
    public init?(parsing text: Substring) {
        var values: [Substring: Int] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            values[parts[0]] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"], values.count == 3,
            (1...24).contains(logN), (1...32).contains(r), (1...16).contains(p)
        else { return nil }
        self.init(logN: logN, r: r, p: p)
    }
}
