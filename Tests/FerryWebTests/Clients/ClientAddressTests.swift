import FerryHTTP
import HTTPTypes
import NIOCore
import Testing

@testable import FerryWeb

@Suite("Client address and origin")
struct ClientAddressTests {
    func request(from peer: String, forwardedFor: [String] = [], secure: Bool = false) throws -> Request {
        var fields = HTTPFields()
        for value in forwardedFor { fields.append(HTTPField(name: .xForwardedFor, value: value)) }
        let head = HTTPRequest(method: .get, scheme: nil, authority: "ferry.example", path: "/", headerFields: fields)
        let address = try SocketAddress(ipAddress: peer, port: 1234)
        return Request(
            head: head,
            connection: HTTPConnectionInfo(
                remoteAddress: address, localAddress: nil, isSecure: secure, protocolName: "HTTP/1.1"))
    }

    @Test func ranges() throws {
        let v4 = try #require(IPAddressRange("10.0.0.0/8"))
        #expect(v4.contains("10.200.3.4"))
        #expect(!v4.contains("11.0.0.1"))
        #expect(v4.contains("::ffff:10.1.2.3"))
        let v6 = try #require(IPAddressRange("fd00::/8"))
        #expect(v6.contains("fd12::1"))
        #expect(!v6.contains("fe80::1"))
        #expect(try #require(IPAddressRange("192.168.1.7")).contains("192.168.1.7"))
        #expect(!(try #require(IPAddressRange("192.168.1.7")).contains("192.168.1.8")))
        #expect(try #require(IPAddressRange("0.0.0.0/0")).contains("8.8.8.8"))
        for bad in ["", "10.0.0.0/33", "fd00::/129", "not-an-ip", "10.0.0.0/-1", "10.0.0/8"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let resolver = ClientAddressResolver(trustedProxies: [IPAddressRange("10.0.0.0/8")!])
        #expect(resolver.address(of: try request(from: "203.0.113.5", forwardedFor: ["1.2.3.4"])) == "203.0.113.5")
        #expect(resolver.address(of: try request(from: "10.0.0.2", forwardedFor: ["1.2.3.4"])) == "1.2.3.4")
        // The client wrote the left part; the proxy appended the right-most untrusted hop.
        #expect(
            resolver.address(of: try request(from: "10.0.0.2", forwardedFor: ["6.6.6.6, 1.2.3.4", "10.0.0.9"]))
                == "1.2.3.4")
        #expect(resolver.address(of: try request(from: "10.0.0.2", forwardedFor: ["garbage"])) == "10.0.0.2")
        #expect(resolver.address(of: try request(from: "10.0.0.2")) == "10.0.0.2")
        #expect(ClientAddressResolver().address(of: try request(from: "::1", forwardedFor: ["1.2.3.4"])) == "::1")
    }

    @Test func cookiesAndForms() throws {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .cookie, value: "a=1; ferry_session=abc; b=\"q\""))
        let head = HTTPRequest(
            method: .get, scheme: nil, authority: "x", path: "/?x=1&y=a+b%21&y=2&z", headerFields: fields)
        let request = Request(
            head: head,
            connection: HTTPConnectionInfo(
                remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "HTTP/1.1"))
        #expect(request.cookie("ferry_session") == "abc")
        #expect(request.cookie("b") == "q")
        #expect(request.cookie("c") == nil)
        #expect(request.queryFields["y"] == "a b!")
        #expect(request.queryFields.all("y") == ["a b!", "2"])
        #expect(request.queryFields["z"] == "")
        #expect(request.queryFields["missing"] == nil)
        let cookie = SetCookie(name: "s", value: "v", maxAge: 60, secure: true).fieldValue
        #expect(cookie == "s=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax")
        #expect(SetCookie.expired("s", secure: false).fieldValue == "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }
}
