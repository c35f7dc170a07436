import Foundation

/// JSON requests to a live server over a raw socket, as a browser or a script would send them.
struct APIClient: Sendable {
    let live: LiveServer

    /// The server's own origin, which browsers send as `Origin` on same-origin requests.
    var origin: String { "http://127.0.0.1:\(live.port)" }

    enum Credential: Sendable {
        case none
        /// A browser session; `origin` is the Origin the browser sends (nil: none at all).
        case session(String, origin: String?)
        case bearer(String)
    }

    func send(
        _ method: String, _ path: String, json: String? = nil, as credential: Credential = .none,
        headers: [String: String] = [:]
    ) async throws -> RawResponse {
        var headers = headers
        if json != nil, headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        return try await send(method, path, body: json, as: credential, headers: headers)
    }

    func send(
        _ method: String, _ path: String, body: String?, as credential: Credential = .none,
        headers: [String: String] = [:]
    ) async throws -> RawResponse {
        var fields = ["Host: 127.0.0.1:\(live.port)", "Connection: close"]
        switch credential {
        case .none: break
        case .session(let token, let origin):
            fields.append("Cookie: ferry_session=\(token)")
            if let origin { fields.append("Origin: \(origin)") }
        case .bearer(let token): fields.append("Authorization: Bearer \(token)")
        }
        fields += headers.map { "\($0.key): \($0.value)" }
        if body != nil || ["POST", "PUT", "PATCH"].contains(method) {
            fields.append("Content-Length: \((body ?? "").utf8.count)")
        }
        let raw = "\(method) \(path) HTTP/1.1\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n" + (body ?? "")
        guard let response = try await live.request(raw, headRequest: method == "HEAD") else {
            throw APIClientError.noResponse(method, path)
        }
        return response
    }

    /// Posts an HTML form (`application/x-www-form-urlencoded`), as a browser without script does.
    func postForm(
        _ path: String, _ fields: [(String, String)], as credential: Credential = .none,
        headers: [String: String] = [:]
    ) async throws -> RawResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        // A browser sends its origin with every form post; a session credential already carries it.
        if case .none = credential, headers["Origin"] == nil { headers["Origin"] = origin }
        return try await send("POST", path, body: body, as: credential, headers: headers)
    }

    /// A session token from the response's `Set-Cookie`.
    static func sessionToken(_ response: RawResponse) -> String? {
        guard let cookie = response.header("Set-Cookie"), cookie.hasPrefix("ferry_session=") else { return nil }
        let value = cookie.dropFirst("ferry_session=".count).prefix { $0 != ";" }
        return value.isEmpty ? nil : String(value)
    }
}

enum APIClientError: Error {
    case noResponse(String, String)
}

extension RawResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The problem type's slug (`/problems/csrf` → `csrf`).
    var problem: String? {
        (json["type"] as? String).map { String($0.split(separator: "/").last ?? "") }
    }
}
