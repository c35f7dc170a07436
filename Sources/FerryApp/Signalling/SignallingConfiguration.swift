import FerryWeb
import Foundation

/// The discovery server's limits, lifetimes and ICE settings, each with a safe default
/// (docs/SIGNALLING.md).
public struct SignallingConfiguration: Sendable {
    /// WebSocket limits and liveness of signalling sockets.
    public var webSocket = WebSocketConfiguration()
    /// Largest text message (JSON) a peer may send.
    public var maxMessageBytes = 64 * 1024
    /// Largest relay payload after the 8-byte relay id.
    public var maxRelayFrameBytes = 256 * 1024
    /// Time a new socket has to send `hello`.
    public var helloTimeout: Duration = .seconds(10)
    /// Messages per socket: burst and refill per second.
    public var messageBurst = 100
    public var messagesPerSecond = 50
    /// `signal` messages from one socket to one peer: burst and refill per second.
    public var signalBurst = 40
    public var signalsPerSecond = 20
    /// Refused messages within ``offenceWindow`` before the socket is closed (1008).
    public var maxOffences = 10
    public var offenceWindow: Duration = .seconds(60)
    /// How often connected peers are re-checked against the store's identity version.
    public var identityRecheckInterval: Duration = .seconds(1)
    /// Relays: at once on the server and per peer; idle time before one is closed.
    public var maxRelays = 64
    public var maxRelaysPerPeer = 4
    /// Relays one person (a member, over all their sockets; a guest's device) may have asked for.
    public var maxRelaysPerUser = 8
    public var relayIdleTimeout: Duration = .seconds(60)
    /// How long a relay asked for by one end waits for the other (the client gives up after 20 s).
    public var relayPendingTimeout: Duration = .seconds(30)
    /// Relay bandwidth, bytes per second, per relay and for the whole server.
    public var relayBytesPerSecond = 32 * 1024 * 1024
    public var serverRelayBytesPerSecond = 128 * 1024 * 1024
    /// A relay frame is queued for its receiver once at most this many bytes wait for it there;
    /// until then the sender's socket is not read (the relay goes at the receiver's pace). Well
    /// under the socket's ``WebSocketConfiguration/maxQueuedOutboundBytes``, so a receiver that
    /// reads is never dropped as a slow consumer because of a fast sender.
    public var relayQueuedBytes = 1024 * 1024
    /// How long a relay frame waits for that; then it is queued anyway, and a receiver that does
    /// not read is dropped by the slow-consumer rule, so one end cannot stall the other's socket.
    public var relayQueueTimeout: Duration = .seconds(10)
    /// STUN URLs handed to peers (`stun:host:port`).
    public var stunURLs: [String] = []
    /// A TURN URL and coturn's shared secret (REST API scheme); credentials last ``turnCredentialLifetime``.
    public var turnURL: String?
    public var turnSecret: String?
    public var turnCredentialLifetime: TimeInterval = 3600
    /// Guest pairing codes: lifetime, and claim attempts per client address per window.
    public var pairingCodeLifetime: TimeInterval = 10 * 60
    public var pairingAttemptsPerAddress = 10
    public var pairingAttemptWindow: TimeInterval = 10 * 60
    /// Longest a guest pass lives, whether or not its socket does.
    public var guestLifetime: TimeInterval = 12 * 3600
    /// How long a guest's pass waits after its last socket closed (a reload, a lost connection,
    /// the tab closed), or after the claim for the first one; 0 ends the pairing with the socket.
    public var guestReconnectGrace: TimeInterval = 5 * 60

    public init() {}
}
