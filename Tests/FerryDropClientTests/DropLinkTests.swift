import Testing

@testable import FerryDropClient
