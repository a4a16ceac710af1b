import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What a server answered to one request.
public struct GraphResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    /// `Retry-After` in seconds, when Meta sent one.
    public var retryAfter: Int?
}

/// Why a request got no answer at all (nothing to read a status from).
public struct GraphTransportError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One HTTPS (or, for tests and a local proxy, HTTP) request to the Graph API over swift-nio: a small client instead
/// of async-http-client, whose build would double the hub's. One connection per request: replies are few.
public struct GraphClient: Sendable {
    /// Bodies larger than this are cut: Graph's answers to a send are a few hundred bytes.
    static let maximumBody = 64 * 1024

    /// Made once: loading the system's trust roots for every reply would cost more than sending it.
    private let tlsContext: NIOSSLContext?

    public init() {
        tlsContext = try? NIOSSLContext(configuration: .makeClientConfiguration())
    }

    /// POSTs `body` (JSON) to `url` with the bearer token, within `timeout`.
    public func post(url: String, bearer: String, body: String, timeout: Duration) async throws -> GraphResponse {
        try await request(
            .POST, url: url,
            headers: [("Authorization", "Bearer \(bearer)"), ("Content-Type", "application/json")], body: body,
            timeout: timeout)
    }

    /// Any request with `headers` and an optional body, within `timeout` (tests post webhooks with it too).
    public func request(
        _ method: HTTPMethod, url: String, headers: [(String, String)], body: String?, timeout: Duration
    ) async throws -> GraphResponse {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "https" || scheme == "http",
            let host = parsed.host, !host.isEmpty
        else { throw GraphTransportError(description: "not an http(s) URL") }
        let tls = scheme == "https"
        let port = parsed.port ?? (tls ? 443 : 80)
        let path = parsed.path(percentEncoded: true).isEmpty ? "/" : parsed.path(percentEncoded: true)
        let hostHeader = parsed.port.map { "\(host):\($0)" } ?? host
        let context = tlsContext
        if tls, context == nil { throw GraphTransportError(description: "TLS is not available") }
        let milliseconds = Int64(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(milliseconds))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls, let context {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    // A server that accepts and then says nothing must not hold a reply forever.
                    channel.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { channel.close(promise: nil) }
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let bytes = ByteBuffer(string: body ?? "")
        return try await channel.executeThenClose { inbound, outbound in
            let target = parsed.query(percentEncoded: true).map { "\(path)?\($0)" } ?? path
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
            head.headers.add(name: "Host", value: hostHeader)
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if body != nil { head.headers.add(name: "Content-Length", value: "\(bytes.readableBytes)") }
            head.headers.add(name: "User-Agent", value: "loket-hub")
            head.headers.add(name: "Connection", value: "close")
            // A server may answer and close before the request's end is written (a refusal needs no body): the
            // answer counts, and the failed write matters only when no answer came.
            var writeError: (any Error)?
            do {
                try await outbound.write(.head(head))
                if body != nil { try await outbound.write(.body(.byteBuffer(bytes))) }
                try await outbound.write(.end(nil))
            } catch {
                writeError = error
            }
            var response = GraphResponse(status: 0, body: "", retryAfter: nil)
            do {
                for try await part in inbound {
                    switch part {
                    case .head(let answer):
                        response.status = Int(answer.status.code)
                        response.retryAfter = answer.headers.first(name: "Retry-After").flatMap { Int($0) }
                    case .body(let buffer):
                        if response.body.utf8.count < Self.maximumBody { response.body += String(buffer: buffer) }
                    case .end:
                        return response
                    }
                }
            } catch {
                if response.status == 0 { throw writeError ?? error }
            }
            guard response.status != 0 else {
                throw writeError ?? GraphTransportError(description: "connection closed without an answer")
            }
            return response
        }
    }
}
