import Foundation
import LoketCore

import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An officer's saved login: which hub, who, and the session token (kept in a file only the officer can read).
public struct SavedSession: Sendable, Equatable {
    public var hub: String
    public var username: String
    public var name: String
    public var token: String

    public init(hub: String, username: String, name: String, token: String) {
        self.hub = hub
        self.username = username
        self.name = name
        self.token = token
    }

    /// `$XDG_CONFIG_HOME/loket/session.json`, else `~/.config/loket/session.json`.
    public static func path(environment: [String: String]) -> String {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = "\(environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory())/.config"
        }
        return "\(base)/loket/session.json"
    }

    /// Writes the session with mode 0600 (created that way, so the token is never readable by others).
    public func save(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let json = JSON.object([
            ("hub", .string(hub)), ("username", .string(username)), ("name", .string(name)), ("token", .string(token)),
        ]).serialized + "\n"
        let temporary = path + ".tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw LoginError.cannotSave(path, String(cString: strerror(errno))) }
        let bytes = Array(json.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LoginError.cannotSave(path, String(cString: strerror(errno)))
        }
    }

    public static func load(from path: String) -> SavedSession? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = JSON.parse(text),
            let hub = json["hub"]?.stringValue, let username = json["username"]?.stringValue,
            let token = json["token"]?.stringValue
        else { return nil }
        return SavedSession(hub: hub, username: username, name: json["name"]?.stringValue ?? username, token: token)
    }
}

/// Why logging in failed, said to the officer in Indonesian.
public enum LoginError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongCredentials
    case tooManyAttempts
    case unreachable(String, String)
    case unexpected(Int)
    case cannotSave(String, String)

    public var description: String {
        switch self {
        case .wrongCredentials: Catalogue.Hub.wrongCredentials
        case .tooManyAttempts: Catalogue.Hub.tooManyLogins
        case .unreachable(let hub, let reason): Catalogue.Live.unreachable(hub, reason)
        case .unexpected(let status): Catalogue.Live.unexpectedStatus(status)
        case .cannotSave(let path, let reason): Catalogue.Live.cannotSave(path, reason)
        }
    }
}

/// `POST /api/login` against a hub, over NIO (already linked for the WebSocket): Foundation's URLSession would
/// pull libcurl and some thirty shared libraries into every start of `loket`, trainee mode included.
public enum OfficerLogin {
    public static func login(hub: String, username: String, password: String) async throws -> SavedSession {
        let base = hub.hasSuffix("/") ? String(hub.dropLast()) : hub
        guard let url = URL(string: base + "/api/login"), let scheme = url.scheme, scheme == "http" || scheme == "https",
            let host = url.host
        else {
            throw LoginError.unreachable(hub, Catalogue.Live.badURL)
        }
        let body = JSON.object([("username", .string(username)), ("password", .string(password))]).serialized
        let (status, data): (Int, String)
        do {
            (status, data) = try await post(
                host: host, port: url.port ?? (scheme == "https" ? 443 : 80), path: url.path, tls: scheme == "https",
                body: body)
        } catch {
            throw LoginError.unreachable(hub, "\(error)")
        }
        switch status {
        case 200:
            guard let json = JSON.parse(data), let token = json["token"]?.stringValue else {
                throw LoginError.unexpected(status)
            }
            let name = json["officer"]?["name"]?.stringValue ?? username
            return SavedSession(hub: base, username: username, name: name, token: token)
        case 401: throw LoginError.wrongCredentials
        case 429: throw LoginError.tooManyAttempts
        default: throw LoginError.unexpected(status)
        }
    }

    /// One HTTP/1.1 POST of a JSON body; the status and the body of the answer.
    static func post(host: String, port: Int, path: String, tls: Bool, body: String) async throws -> (Int, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(15))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path.isEmpty ? "/" : path)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
            try await outbound.write(.end(nil))
            var status = 0
            var answer = ""
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(let buffer): answer += String(buffer: buffer)
                case .end: return (status, answer)
                }
            }
            return (status, answer)
        }
    }
}
