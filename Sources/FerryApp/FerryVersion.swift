/// The running build's version, reported by `/api/v1/version` and `ferry --version`.
public enum FerryVersion {
    public static let current = "0.1.0"
    public static let name = "ferry"
}
