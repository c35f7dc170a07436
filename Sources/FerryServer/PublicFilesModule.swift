import FerryApp
import FerryWeb

/// Everything no other route claims is a file from `Public/`, the browser client. Listed last:
/// its pattern catches every path.
struct PublicFilesModule: FerryModule {
    let staticFiles: StaticFiles

    func register(on routes: ModuleRoutes) {
        let staticFiles = self.staticFiles
        routes.site.onInline(.get, "/*") { request in try staticFiles.respond(request) }
    }
}
