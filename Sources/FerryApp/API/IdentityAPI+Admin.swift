import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityAPI {
    func registerAdmin(on routes: GatedRoutes) {
        let service = self.service

        routes.add(.get, "/users", .admin) { _ in
            try .json(["users": try await service.store.listUsers().map(UserDocument.init)])
        }
        routes.add(.post, "/users", .admin) { call in
            let body = try await call.request.decodeJSON(AccountBody.self)
            let user = try await service.createUser(
                email: body.email, displayName: body.displayName, password: body.password,
                isAdmin: body.isAdmin ?? false, context: call.context)
            return try .json(UserDocument(user), status: .created)
        }
        routes.add(.patch, "/users/{userID}", .admin) { call in
            let body = try await call.request.decodeJSON(UserUpdateBody.self)
            let user = try await service.updateUser(
                try call.id("userID"), displayName: body.displayName, isAdmin: body.isAdmin, disabled: body.disabled,
                context: call.context)
            return try .json(UserDocument(user))
        }
        routes.add(.put, "/users/{userID}/password", .admin) { call in
            let body = try await call.request.decodeJSON(PasswordResetBody.self)
            try await service.resetPassword(of: try call.id("userID"), to: body.password, context: call.context)
            return Self.noContent
        }
        routes.add(.get, "/audit", .admin) { call in
            let page = try Self.auditPage(call.request)
            let events = try await service.auditEvents(teamID: nil, before: page.before, limit: page.limit)
            return try .json(["events": events.map(AuditEventDocument.init)])
        }
    }
}
