import ArgumentParser
import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ferry tls …`: certificates for running Ferry over HTTPS on a team network.
struct TLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "TLS certificates for a team network.", subcommands: [SelfSigned.self])

    /// `ferry tls self-signed --host NAME…`: a P-256 certificate and key for the names and
    /// addresses people use to reach the server, and how to make browsers trust it.
    struct SelfSigned: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed", abstract: "Write a self-signed certificate for LAN use.")

        @Option(
            name: .customLong("host"), parsing: .upToNextOption,
            help: "Host names and IP addresses the certificate is for (one or more; repeatable).")
        var hosts: [String]

        @Option(help: "Folder for cert.pem and key.pem.")
        var out: String = "./data/tls"

        @Option(help: "Days the certificate is valid (browsers cap trusted ones at 398).")
        var days: Int = 397

        @Flag(
            help:
                "Replace a certificate and key already in --out (computers that trust the old one must be set up again)."
        )
        var force = false

        func validate() throws {
            guard !hosts.isEmpty else { throw ValidationError("give at least one --host") }
            for host in hosts where SubjectName.kind(of: host) == nil {
                throw ValidationError("'\(host)' is neither a host name nor an IP address")
            }
            guard (1...3650).contains(days) else { throw ValidationError("--days must be 1…3650") }
            for name in ["cert.pem", "key.pem"] where !force {
                let path = (out as NSString).appendingPathComponent(name)
                // Every computer that trusts the certificate now would have to be set up again.
                guard !FileManager.default.fileExists(atPath: path) else {
                    throw ValidationError(
                        "\(path) exists: the computers that trust it would have to be set up again. Use --force to replace it, or another --out."
                    )
                }
            }
        }

        func run() throws {
            let key = P256.Signing.PrivateKey()
            let certificate = try Self.makeCertificate(hosts: hosts, key: key, days: days)
            if days > 398 {
                print(
                    "Note: browsers do not trust a certificate valid for more than 398 days; this one is for \(days).")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let certificatePath = (out as NSString).appendingPathComponent("cert.pem")
            let keyPath = (out as NSString).appendingPathComponent("key.pem")
            try Self.write(try certificate.serializeAsPEM().pemString + "\n", to: certificatePath, mode: 0o644)
            try Self.write(key.pemRepresentation + "\n", to: keyPath, mode: 0o600)
            print(
                """
                Wrote \(certificatePath) and \(keyPath) for \(hosts.joined(separator: ", ")), valid \(days) days.

                Start Ferry with it:
                  ferry serve --host 0.0.0.0 --port 8443 --tls-cert \(certificatePath) --tls-key \(keyPath)

                Make each computer trust it (once), then open https://\(hosts[0]):8443/
                  Debian/Ubuntu: sudo cp \(certificatePath) /usr/local/share/ca-certificates/ferry.crt \\
                                 && sudo update-ca-certificates
                  Chromium/Chrome on Linux: certutil -d sql:$HOME/.pki/nssdb -A -t "P,," -n ferry -i \(certificatePath)
                  macOS: sudo security add-trusted-cert -d -r trustAsRoot \\
                         -k /Library/Keychains/System.keychain \(certificatePath)
                  Windows: certutil -addstore -f Root cert.pem
                  Firefox: Settings → Privacy & Security → Certificates → View Certificates →
                           Servers → Add Exception…
                Anyone with key.pem can impersonate the server: keep it private (mode 600).
                """)
        }

        static func makeCertificate(hosts: [String], key: P256.Signing.PrivateKey, days: Int) throws -> Certificate {
            let name = try DistinguishedName {
                CommonName(hosts[0])
                OrganizationName("Ferry (self-signed)")
            }
            let names: [GeneralName] = hosts.compactMap { host in
                switch SubjectName.kind(of: host) {
                case .dns: return .dnsName(host)
                case .ip(let bytes): return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
                case nil: return nil
                }
            }
            let now = Date()
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: now.addingTimeInterval(TimeInterval(days) * 86_400),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(names)
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        }

        static func write(_ text: String, to path: String, mode: mode_t) throws {
            // Created with the final mode: the key is never readable by others, not even briefly.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
            guard descriptor >= 0 else {
                throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            fchmod(descriptor, mode)
            let bytes = Array(text.utf8)
            guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count else {
                throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
    }
}
