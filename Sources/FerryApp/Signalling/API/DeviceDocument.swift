import FerryStore
import Foundation

/// A registered device as the API shows it.
struct DeviceDocument: Encodable, Sendable {
    var id: String
    var name: String
    var publicKey: String
    var createdAt: Date
    var lastSeenAt: Date

    init(_ device: Device) {
        id = device.id
        name = device.name
        publicKey = device.publicKey
        createdAt = device.createdAt
        lastSeenAt = device.lastSeenAt
    }
}
