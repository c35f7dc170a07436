import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// The discovery server's routes (docs/SIGNALLING.md): the signalling WebSocket, devices, ICE
/// configuration and guest pairing.
struct SignallingAPI: Sendable {
    let hub: SignallingHub
    /// The subprotocol of this version of the signalling protocol.
    static let subprotocol = "ferry-signal.1"

    func register(on routes: GatedRoutes) {
        let hub = self.hub

        routes.addWebSocket("/signal", .peer) { call in
            let identity: PeerIdentity
            let byCookie: Bool
            if let principal = call.principal {
                let credential: PeerCredential
                if let hash = principal.sessionTokenHash {
                    credential = .session(tokenHash: hash)
                } else if let hash = Authenticator.bearerSecretHash(call.request) {
                    credential = .token(secretHash: hash)
                } else {
                    throw HTTPError(
                        .unauthorized, detail: "Sign in first, or send an API token.", type: "unauthenticated")
                }
                identity = .member(principal, credential: credential)
                byCookie = principal.isSession
            } else if let guest = call.guest {
                identity = .guest(guest)
                byCookie = true
            } else {
                throw HTTPError(.unauthorized, detail: "Sign in first, or pair as a guest.", type: "unauthenticated")
            }
            try OriginCheck.checkWebSocket(call.request, scheme: call.scheme, cookieAuthenticated: byCookie)
            let handshake = try WebSocketHandshake(call.request, subprotocols: [Self.subprotocol])
            let session = SignallingPeerSession(hub: hub, identity: identity, address: call.context.clientAddress)
            return handshake.response(configuration: hub.configuration.webSocket, handler: session)
        }

        routes.add(.get, "/devices", .signedIn) { call in
            try .json(["devices": try await hub.devices(of: try call.caller).map(DeviceDocument.init)])
        }
        routes.add(.put, "/devices/{deviceID}", .signedIn) { call in
            let body = try await call.request.decodeJSON(DeviceBody.self)
            let (device, created) = try await hub.registerDevice(
                id: call.request.parameters["deviceID"] ?? "", name: body.name, publicKey: body.publicKey,
                for: try call.caller)
            return try .json(DeviceDocument(device), status: created ? .created : .ok)
        }
        routes.add(.delete, "/devices/{deviceID}", .signedIn) { call in
            try await hub.deleteDevice(call.request.parameters["deviceID"] ?? "", of: try call.caller)
            return Response(status: .noContent)
        }

        routes.add(.get, "/ice", .peer) { call in
            let name = call.principal?.user.id.uuidString.lowercased() ?? "guest"
            var response = try Response.json(hub.iceConfiguration(for: name, now: call.context.now))
            response.headers[.cacheControl] = "no-store"
            return response
        }

        routes.add(.post, "/pairings", .signedIn, maxBodySize: 4096) { call in
            // The body is optional: without one, the code has no label.
            var label: String?
            if let raw = try await call.request.decodeOptionalJSON(PairingBody.self)?.label {
                var rules = InputRules()
                label = SignallingHub.deviceName(
                    raw, rules: &rules, pointer: "/label",
                    message: "A label has 1 to 64 characters, without control characters.")
                try rules.check()
            }
            let made = hub.makePairingCode(for: try call.caller, label: label)
            return try .json(PairingDocument(code: made.code, expiresAt: made.expiresAt), status: .created)
        }
        routes.add(.post, "/pairings/claim", .public) { call in
            let body = try await call.request.decodeJSON(ClaimBody.self)
            let (pass, secret) = try await hub.claimPairing(
                code: body.code, deviceID: body.device?.id, deviceName: body.device?.name,
                publicKey: body.device?.publicKey, context: call.context)
            var response = try Response.json(
                GuestDocument(member: .init(id: pass.memberID, name: pass.memberName), expiresAt: pass.expiresAt),
                status: .created)
            let cookie = SetCookie(
                name: GuestDirectory.cookieName(scheme: call.scheme), value: secret,
                maxAge: Int(hub.configuration.guestLifetime), secure: call.scheme == "https")
            response.headers.append(HTTPField(name: .setCookie, value: cookie.fieldValue))
            return response
        }
        routes.add(.delete, "/pairings/{pairingID}", .signedIn) { call in
            try await hub.endPairing(call.request.parameters["pairingID"] ?? "", by: try call.caller)
            return Response(status: .noContent)
        }
        routes.add(.delete, "/pairings/current", .peer) { call in
            guard let pass = call.guest else {
                throw HTTPError(.notFound, detail: "This browser is not paired as a guest.", type: "not-paired")
            }
            // The gate checks the origin of changes made with a member's session cookie; this one
            // is made with the guest cookie.
            try OriginCheck.check(call.request, scheme: call.scheme, cookieAuthenticated: true)
            await hub.endPairing(pass)
            var response = Response(status: .noContent)
            let cleared = SetCookie.expired(
                GuestDirectory.cookieName(scheme: call.scheme), secure: call.scheme == "https")
            response.headers.append(HTTPField(name: .setCookie, value: cleared.fieldValue))
            return response
        }
    }
}
