import FerryStore
import FerryWeb
import Foundation
import Testing

@testable import FerryApp

/// The invite page's own values never hide the shared ones its template reads (a failed form's
/// field errors above all), and it says which of its three cases it is.
@Suite("Invite page")
struct InvitePageTests {
    let invite = Invite(
        id: UUID(), teamID: UUID(), role: .member, maxUses: 1, uses: 1, createdBy: nil,
        createdAt: Date(timeIntervalSince1970: 1_800_000_000), expiresAt: Date(timeIntervalSince1970: 1_800_086_400),
        revokedAt: nil)

    @Test func aFailedFormKeepsItsFieldErrors() {
        var state = PageState(principal: nil)
        state.error = HTTPError(
            .badRequest, detail: "The request is not valid.", type: "invalid-request",
            errors: [.init(pointer: "/email", detail: "Not an email address.")])
        for (valid, member) in [(true, false), (false, false), (false, true)] {
            let page = InvitePage(
                state: state, code: "c", teamName: "Design", invite: invite, valid: valid, alreadyMember: member)
            #expect(Set(page.content.keys).isDisjoint(with: ["form", "nav", "notice", "error", "invalid"]))
            let invalid = page.values["invalid"] as? [String: any Sendable]
            #expect(invalid?["email"] as? Bool == true, "the template's {{#invalid.email}} finds the field")
        }
    }

    @Test func oneOfItsThreeCases() {
        let cases: [(valid: Bool, member: Bool, shown: String)] = [
            (true, false, "valid"), (false, false, "spent"), (true, true, "alreadyMember"),
            (false, true, "alreadyMember"),
        ]
        for (valid, member, shown) in cases {
            let content = InvitePage(
                state: PageState(principal: nil), code: "c", teamName: "Design", invite: invite, valid: valid,
                alreadyMember: member
            ).content
            for key in ["valid", "spent", "alreadyMember"] {
                #expect(content[key] as? Bool == (key == shown), "\(key) for valid \(valid), member \(member)")
            }
        }
    }
}
