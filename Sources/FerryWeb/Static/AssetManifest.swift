/// The fingerprinted URLs of `Public/`, as pages need them: an import map for ES modules, the
/// CSP hash that allows exactly that import map, and flat keys for templates.
public struct AssetManifest: Sendable {
    /// `/js/app.js` → `/js/app.1a2b3c4d.js`, for every file.
    public var urls: [String: String]
    /// `{"imports":{…}}` for every module; rendered verbatim into `<script type="importmap">`.
    public var importMapJSON: String
    /// Base64 SHA-256 of ``importMapJSON``, for `script-src 'sha256-…'`.
    public var importMapHash: String
    /// `js_app_js` → `/js/app.1a2b3c4d.js` (Mustache keys cannot contain `/` or `.`).
    public var templateKeys: [String: String]

    public init(urls: [String: String], importMapJSON: String, importMapHash: String, templateKeys: [String: String]) {
        self.urls = urls
        self.importMapJSON = importMapJSON
        self.importMapHash = importMapHash
        self.templateKeys = templateKeys
    }

    public static func templateKey(for relativePath: String) -> String {
        String(relativePath.map { $0 == "/" || $0 == "." || $0 == "-" ? "_" : $0 })
    }
}
