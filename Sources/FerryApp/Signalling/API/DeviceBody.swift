/// `PUT /devices/{deviceID}`.
struct DeviceBody: Decodable, Sendable {
    var name: String?
    var publicKey: String?
}
