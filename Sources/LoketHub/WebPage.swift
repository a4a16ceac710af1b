import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Which browser origins may embed the citizen page and open its WebSocket: the hub's own, plus `--embed-origin`s.
public struct OriginPolicy: Sendable, Equatable {
    /// Extra origins (`scheme://host[:port]`, lower case, no path) allowed to frame the page and connect.
    public let embedOrigins: [String]

    public init(embedOrigins: [String] = []) {
        self.embedOrigins = embedOrigins.compactMap(Self.normalised)
    }

    /// `scheme://host[:port]` in lower case without a trailing slash, or nil when `text` is not such an origin.
    public static func normalised(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value.hasSuffix("/") { value.removeLast() }
        guard let schemeEnd = value.range(of: "://") else { return nil }
        let scheme = value[..<schemeEnd.lowerBound]
        let authority = value[schemeEnd.upperBound...]
        guard scheme == "http" || scheme == "https", !authority.isEmpty,
            // Anything beyond host and port (a path, a query, credentials, spaces) is not an origin.
            authority.allSatisfy({ $0.isLetter || $0.isNumber || "-.:[]".contains($0) }), authority.first != ":"
        else { return nil }
        return value
    }

    /// Whether a WebSocket upgrade with this `Origin` header, sent to `host` (the request's Host), may proceed.
    /// The check is against browsers carrying a citizen to another site's script; anything else may claim any
    /// origin anyway. So no `Origin` (scripts, tests) and a `ws:`/`wss:` one (the Swift WebSocket client behind
    /// `loket live` and `loket-hub citizen` sends the URL's own) are not browsers: a page's origin is http(s).
    public func allows(origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        let lowered = origin.lowercased()
        if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") { return true }
        guard let normalisedOrigin = Self.normalised(origin) else { return false }
        if embedOrigins.contains(normalisedOrigin) { return true }
        // Same origin: the page was served by this hub under the name the browser used, whatever the scheme a
        // TLS proxy in front adds.
        guard let host, let schemeEnd = normalisedOrigin.range(of: "://") else { return false }
        return normalisedOrigin[schemeEnd.upperBound...] == host.lowercased()
    }

    /// The `frame-ancestors` sources: the hub itself and the embedding sites.
    var frameAncestors: String { (["'self'"] + embedOrigins).joined(separator: " ") }
}

/// Adds the page's security headers to every response, errors included.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: OriginPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            // A 404 or 400 is a page too: it gets the same protection.
            response = try error.response(from: request, context: context)
        }
        // 'self' covers ws: and wss: to the same host in CSP 3, so the page's WebSocket needs nothing more.
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors \(policy.frameAncestors)"
        response.headers[.xContentTypeOptions] = "nosniff"
        if let name = ExtraFieldName.referrerPolicy { response.headers[name] = "no-referrer" }
        return response
    }
}

/// The citizen's chat page: the files under `Web/`, read once at start and served from memory.
struct WebAssets: Sendable {
    /// One file: its bytes and content type.
    struct Asset: Sendable {
        let contentType: String
        let body: ByteBuffer
    }

    /// Served path to the file name under `Web/` and its content type.
    static let files: [(path: String, file: String, type: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "favicon.svg", "image/svg+xml"),
    ]

    let assets: [String: Asset]

    /// Loads every file; a missing one is left out (its route answers 404) rather than stopping the hub.
    static func load() -> WebAssets {
        var assets: [String: Asset] = [:]
        guard let folder = Bundle.module.url(forResource: "Web", withExtension: nil) else { return WebAssets(assets: [:]) }
        for entry in files {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(entry.file)) else { continue }
            assets[entry.path] = Asset(contentType: entry.type, body: ByteBuffer(bytes: data))
        }
        return WebAssets(assets: assets)
    }

    func response(for path: String) throws -> Response {
        guard let asset = assets[path] else { throw HTTPError(.notFound) }
        return Response(
            status: .ok,
            // no-cache: a browser revalidates, so an upgraded hub's page is never mixed with an old script.
            headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: asset.body))
    }
}

/// Header names the page needs that HTTPTypes does not predefine.
enum ExtraFieldName {
    /// Not among HTTPTypes' predefined names; the literal is a valid token, so this is never nil.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")
}
