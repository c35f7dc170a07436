import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The server's TLS context, built from a PEM certificate chain and private key, and rebuilt on
/// demand (SIGHUP) without touching open connections: each connection keeps the context it was
/// accepted with, new ones get the current one.
///
/// ALPN offers `h2` then `http/1.1`; TLS 1.2 is the minimum.
public final class TLSContextProvider: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let state: NIOLockedValueBox<NIOSSLContext>

    /// Loads and checks the files; every problem is a ``TLSSetupError`` that names the file.
    public init(certificatePath: String, keyPath: String) throws(TLSSetupError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.state = NIOLockedValueBox(try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// The context for the next connection.
    var current: NIOSSLContext { state.withLockedValue { $0 } }

    /// Re-reads the files. On failure the current context stays in use and the error is thrown.
    public func reload() throws(TLSSetupError) {
        let fresh = try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath)
        state.withLockedValue { $0 = fresh }
    }

    static let applicationProtocols = ["h2", "http/1.1"]

    static func makeContext(certificatePath: String, keyPath: String) throws(TLSSetupError) -> NIOSSLContext {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSSetupError.unusableCertificate(path: certificatePath, reason: Self.describe(error))
        }
        guard !certificates.isEmpty else {
            throw TLSSetupError.unusableCertificate(path: certificatePath, reason: "no certificate in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TLSSetupError.unusableKey(path: keyPath, reason: Self.describe(error))
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch NIOSSLError.failedToLoadPrivateKey {
            // The key parsed above; BoringSSL refuses it here when it does not belong to the
            // first certificate of the chain.
            throw TLSSetupError.keyDoesNotMatch(certificatePath: certificatePath, keyPath: keyPath)
        } catch {
            throw TLSSetupError.unusableKey(path: keyPath, reason: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        return String(describing: error)
    }
}
