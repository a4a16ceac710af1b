import Foundation
import Testing

/// A real `loket-hub` process on a loopback port, with its own data folder (or a PostgreSQL database shared with
/// other hubs); killed when the test is done.
final class HubProcess {
    let data: URL
    /// 0 until the first start: the hub picks a free port itself and says which, so no other test can take it between
    /// a check and the bind; a restart binds the same one again.
    private(set) var port = 0
    /// `postgres://…` when the hub keeps its data in PostgreSQL instead of the data folder.
    let database: String?
    private(set) var pid: pid_t = 0
    private let output: URL

    var url: String { "http://127.0.0.1:\(port)" }

    init(database: String? = nil) throws {
        self.database = database
        data = FileManager.default.temporaryDirectory.appendingPathComponent("loket-hub-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        output = data.appendingPathComponent("hub.out")
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: data)
    }

    static func binary(_ name: String) throws -> String {
        let loket = try TmuxSession.loketBinary()
        return URL(fileURLWithPath: loket).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// A port nothing listens on right now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let (port, descriptor) = try boundPort()
        close(descriptor)
        return port
    }

    /// A loopback port bound without listening, and its descriptor: connecting to it is refused until it is closed.
    static func boundPort() throws -> (port: Int, descriptor: Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw E2EError(message: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw E2EError(message: "bind failed")
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }

    /// Runs a `loket-hub` subcommand against this hub's data folder, with `input` on standard input.
    @discardableResult
    func command(_ arguments: [String], input: String? = nil) async throws -> String {
        try await Self.run([try Self.binary("loket-hub")] + arguments + storeArguments, input: input)
    }

    /// Runs a program to completion with `input` on standard input; fails on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) async throws -> String {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("loket-in-\(UUID().uuidString)")
        try (input ?? "").write(to: inputFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let shell = "\(arguments.map(quote).joined(separator: " ")) < \(quote(inputFile.path))"
        let result = try await TmuxSession.spawn(
            ["/bin/sh", "-c", shell], environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        guard result.status == 0 else {
            throw E2EError(message: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
        }
        return result.output
    }

    /// Where this hub's data is, as `loket-hub` options.
    var storeArguments: [String] { database.map { ["--database", $0] } ?? ["--data", data.path] }

    private static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Starts the hub and waits for its `listening on` line; `arguments` go after the hub's own, `environment`
    /// is added to the test runner's.
    func start(arguments extra: [String] = [], environment: [String: String] = [:]) async throws {
        try? FileManager.default.removeItem(at: output)
        let hub = try Self.binary("loket-hub")
        pid = try TmuxSession.launch(
            [hub, "--listen", "127.0.0.1:\(port)"] + storeArguments + extra,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, output: output.path,
            discardErrors: true)
        // Generous: training the engine in a debug build on a busy 2-core machine can take a while.
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let text = try? String(contentsOf: output, encoding: .utf8),
                let line = text.split(separator: "\n").first, text.contains("\n"),
                let match = line.wholeMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/), let bound = Int(match.output.1),
                port == 0 || bound == port
            {
                port = bound
                return
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw E2EError(message: "loket-hub exited at start")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError(message: "loket-hub did not print its listening line")
    }

    /// SIGTERM, then waits for the exit status (fails the wait after 20 s with SIGKILL).
    func terminate() async -> Int32 {
        guard pid > 0 else { return -1 }
        Foundation.kill(pid, SIGTERM)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                return TmuxSession.exitStatus(status)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill()
        return -1
    }

    /// `kill -9`: no shutdown, no flushing: what survives is what was committed.
    func kill() {
        guard pid > 0 else { return }
        Foundation.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        pid = 0
    }
}
