import FerryStore
import FerryWeb

/// What every identity page shows around its own content: the navigation, a notice, the error of
/// a failed form with its invalid fields, and the values typed into the form.
struct PageState: Sendable {
    var principal: Principal?
    var notice: PageNotice?
    var error: HTTPError?
    var form: [String: any Sendable] = [:]
    /// The navigation's entry this page belongs to (`aria-current="page"`).
    var section: NavSection?

    enum NavSection: Sendable {
        case home, drops, account, admin
    }

    /// The values the `nav` and `messages` partials and the forms read. Absent things are left
    /// out, never set to nil or "" (a Mustache section renders for both).
    var values: [String: any Sendable] {
        var values: [String: any Sendable] = ["form": form]
        if let principal {
            values["nav"] =
                [
                    "signedIn": true, "isAdmin": principal.user.isAdmin, "userName": principal.user.displayName,
                    "atHome": section == .home, "atDrops": section == .drops, "atAccount": section == .account,
                    "atAdmin": section == .admin,
                ] as [String: any Sendable]
        }
        if let notice { values["notice"] = notice.sentence }
        if let error {
            values["error"] =
                [
                    "detail": error.detail,
                    // A field's words that only repeat the headline are said once.
                    "fields": error.errors.filter { $0.detail != error.detail }.map {
                        ["pointer": $0.pointer, "detail": $0.detail] as [String: any Sendable]
                    },
                ] as [String: any Sendable]
            var invalid: [String: any Sendable] = [:]
            for field in error.errors {
                let name = field.pointer.split(separator: "/").first.map(String.init) ?? ""
                if !name.isEmpty { invalid[name] = true }
            }
            values["invalid"] = invalid
        }
        return values
    }
}
