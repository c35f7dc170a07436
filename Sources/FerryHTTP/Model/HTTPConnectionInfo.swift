public import NIOCore

/// What a handler may know about the connection a request arrived on.
public struct HTTPConnectionInfo: Sendable {
    /// The peer's address as seen on the socket (a proxy's, behind one).
    public var remoteAddress: SocketAddress? {
        didSet { remoteIP = remoteAddress?.ipAddress }
    }
    /// The peer's IP address as text, formatted once per connection (logs want it per request).
    public private(set) var remoteIP: String?
    public var localAddress: SocketAddress?
    /// Whether the connection is encrypted (TLS).
    public var isSecure: Bool
    /// The protocol spoken, for logs: "HTTP/1.1", "HTTP/1.0", "HTTP/2".
    public var protocolName: String

    public init(remoteAddress: SocketAddress?, localAddress: SocketAddress?, isSecure: Bool, protocolName: String) {
        self.remoteAddress = remoteAddress
        self.remoteIP = remoteAddress?.ipAddress
        self.localAddress = localAddress
        self.isSecure = isSecure
        self.protocolName = protocolName
    }
}
