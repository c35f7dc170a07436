import HTTPTypes

/// Collects the fields of one request HEADERS block (as nghttp2 decodes them) into an
/// `HTTPRequest`, counting them against the announced header-list limits.
struct HTTP2RequestHeadBuilder {
    private let maxListSize: Int
    private let maxCount: Int
    private var listSize = 0
    private var count = 0
    private var tooLarge = false
    private var method: String?
    private var scheme: String?
    private var authority: String?
    private var path: String?
    private var extendedProtocol: String?
    private var fields = HTTPFields()

    init(maxListSize: Int, maxCount: Int) {
        self.maxListSize = maxListSize
        self.maxCount = maxCount
    }

    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard !tooLarge else { return }
        // RFC 9113 §6.5.2: the size of a field is its name and value plus 32 octets.
        listSize += name.count + value.count + 32
        count += 1
        if listSize > maxListSize || count > maxCount {
            tooLarge = true
            fields = HTTPFields()
            return
        }
        if name.first == UInt8(ascii: ":") {
            let text = String(decoding: value, as: UTF8.self)
            switch String(decoding: name, as: UTF8.self) {
            case ":method": method = text
            case ":scheme": scheme = text
            case ":authority": authority = text
            case ":path": path = text
            case ":protocol": extendedProtocol = text
            default: break  // nghttp2 refuses unknown pseudo-fields before we see them
            }
            return
        }
        // nghttp2 has checked the name (lower case, token characters); the common ones map to the
        // predefined names without building and validating a string.
        guard
            let fieldName = HTTP1HeadParser.knownFieldName(name)
                ?? HTTPField.Name(String(decoding: name, as: UTF8.self))
        else { return }
        if fieldName == HTTP2RequestHeadBuilder.hostName {
            // Host is only a fallback for :authority (RFC 9113 §8.3.1).
            if authority == nil { authority = String(decoding: value, as: UTF8.self) }
            return
        }
        fields.append(HTTPField(name: fieldName, value: value))
    }

    func finish() -> HTTP2RequestHead {
        if tooLarge { return .tooLarge }
        guard let method, let parsedMethod = HTTPRequest.Method(method) else {
            return .invalid("malformed :method")
        }
        if parsedMethod == .connect && extendedProtocol == nil {
            return .invalid("CONNECT is not supported by an origin server")
        }
        var request = HTTPRequest(method: parsedMethod, scheme: scheme, authority: authority, path: path)
        if let extendedProtocol { request.extendedConnectProtocol = extendedProtocol }
        request.headerFields = fields
        return .valid(request)
    }

    static let hostName = HTTPField.Name("host")!
}
