/// Route parameters captured while matching, in pattern order.
public struct Parameters: Sendable, Equatable {
    private var storage: [(name: String, value: String)] = []

    public init() {}

    public subscript(_ name: String) -> String? {
        storage.first { $0.name == name }?.value
    }

    /// The rest of the path matched by a trailing `*`.
    public var wildcard: String? { self["*"] }

    mutating func append(_ name: String, _ value: String) {
        storage.append((name, value))
    }

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.storage.elementsEqual(rhs.storage) { $0.name == $1.name && $0.value == $1.value }
    }
}
