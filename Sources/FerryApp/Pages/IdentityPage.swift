import FerryWeb

/// A page of the identity layer: a template, a title, and its own values on top of the shared
/// ``PageState``.
protocol IdentityPage: Page {
    var state: PageState { get }
    var content: [String: any Sendable] { get }
}

extension IdentityPage {
    var values: [String: any Sendable] {
        state.values.merging(content) { _, own in own }
    }
}
