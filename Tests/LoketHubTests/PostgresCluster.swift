import Foundation

/// A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder (as `nobody` when the tests run as
/// root, since PostgreSQL refuses root), trust authentication, 127.0.0.1 on a free port, its socket in that folder.
/// A small shell watcher stops the server and removes the folder when `stop()` is called or when the test process
/// is gone, so not even a crashed test run leaves a server behind.
///
/// This file is shared (a symbolic link) by the hub tests and the end-to-end tests.
final class PostgresCluster: Sendable {
    let port: Int
    let folder: URL
    let bin: String
    /// The watcher's pid; SIGTERM to it stops the server.
    private let watcher: Int32

    /// The database user `initdb` made the superuser.
    static let user = "loket"

    /// The folder holding `initdb`, `postgres` and `createdb`, or nil when PostgreSQL is not installed.
    static let binaries: String? = {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["LOKET_PG_BIN"],
            fileManager.isExecutableFile(atPath: "\(explicit)/initdb")
        {
            return explicit
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where fileManager.isExecutableFile(atPath: "\(root)/\(version)/bin/postgres") {
            return "\(root)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where fileManager.isExecutableFile(atPath: "\(directory)/initdb")
            && fileManager.isExecutableFile(atPath: "\(directory)/postgres")
        {
            return String(directory)
        }
        return nil
    }()

    /// True when PostgreSQL can be started; says loudly on standard error why not, once.
    static let available: Bool = {
        guard binaries == nil else { return true }
        let warning = """

            ************************************************************************
            * PostgreSQL NOT FOUND: every PostgreSQL test is SKIPPED.               *
            * Install it (Debian: apt-get install postgresql) or set LOKET_PG_BIN.  *
            ************************************************************************

            """
        FileHandle.standardError.write(Data(warning.utf8))
        return false
    }()

    /// One cluster for the whole test process, started on first use; each test makes its own database in it.
    static func shared() async throws -> PostgresCluster {
        try await SharedCluster.instance.cluster()
    }

    private actor SharedCluster {
        static let instance = SharedCluster()
        private var starting: Task<PostgresCluster, any Error>?

        func cluster() async throws -> PostgresCluster {
            if let starting { return try await starting.value }
            let task = Task { try await PostgresCluster.start() }
            starting = task
            return try await task.value
        }
    }

    private init(port: Int, folder: URL, bin: String, watcher: Int32) {
        self.port = port
        self.folder = folder
        self.bin = bin
        self.watcher = watcher
    }

    /// `postgres://loket@127.0.0.1:PORT/DATABASE`
    func url(_ database: String) -> String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)" }

    /// A new empty database with a unique name; returns its name.
    func createDatabase(_ prefix: String = "t") async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let result = try await Self.execute(
            ["\(bin)/createdb", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, name], asPostgresUser: false)
        guard result.status == 0 else { throw ClusterError("createdb \(name) failed: \(result.output)") }
        return name
    }

    /// Starts a new cluster (its own folder and port) and waits until it accepts connections.
    static func start() async throws -> PostgresCluster {
        guard let bin = binaries else { throw ClusterError("PostgreSQL binaries not found") }
        let folder = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("loket-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            // PostgreSQL will not run as root: the folder belongs to the user it runs as.
            try FileManager.default.setAttributes(
                [.ownerAccountID: NSNumber(value: unprivileged.uid), .groupOwnerAccountID: NSNumber(value: unprivileged.gid)],
                ofItemAtPath: folder.path)
        }
        let data = folder.appendingPathComponent("data").path
        let initdb = try await execute(
            ["\(bin)/initdb", "-D", data, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
            asPostgresUser: true)
        guard initdb.status == 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw ClusterError("initdb failed: \(initdb.output)")
        }
        var lastError = ""
        // A port found free can be taken by someone else before the server binds it: try a few.
        for _ in 0..<3 {
            let port = try freePort()
            let cluster = try launch(bin: bin, folder: folder, port: port)
            do {
                try await cluster.waitUntilReady(within: 60)
                return cluster
            } catch {
                lastError = "\(error)"
                await cluster.order("crash")
            }
        }
        try? FileManager.default.removeItem(at: folder)
        throw ClusterError("PostgreSQL did not start: \(lastError)")
    }

    private static func launch(bin: String, folder: URL, port: Int) throws -> PostgresCluster {
        let data = folder.appendingPathComponent("data").path
        let log = folder.appendingPathComponent("postgres-\(port).log").path
        // fsync off: a test cluster needs speed, not survival of a power cut; a crash of the server process
        // (the restart test) still keeps every commit, which lives in the OS's page cache.
        // The watcher takes its orders from files, not signals: a child of the test process may inherit a signal
        // mask that blocks them. It polls with foreground sleeps, which also reap the server when it ends.
        let script = """
            "$0" -D "$1" -p "$2" -k "$3" -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
              -c max_connections=300 -c shared_buffers=32MB >>"$4" 2>&1 &
            pg=$!
            while [ -d /proc/$5 ] && kill -0 $pg 2>/dev/null && [ ! -e "$3/stop" ] && [ ! -e "$3/crash" ]; do
              sleep 0.1
            done
            keep=0
            if [ -e "$3/crash" ]; then rm -f "$3/crash"; keep=1; kill -QUIT $pg 2>/dev/null
            elif [ -e "$3/stop" ]; then kill -INT $pg 2>/dev/null
            else kill -QUIT $pg 2>/dev/null
            fi
            while kill -0 $pg 2>/dev/null; do sleep 0.1; done
            [ $keep = 1 ] || rm -rf "$6"
            """
        let arguments = [
            "/bin/sh", "-c", script, "\(bin)/postgres", data, "\(port)", folder.path, log, "\(getpid())", folder.path,
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: getuid() == 0 ? "/usr/bin/setpriv" : "/bin/sh")
        process.arguments = getuid() == 0 ? unprivileged.setpriv + arguments : Array(arguments.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return PostgresCluster(port: port, folder: folder, bin: bin, watcher: process.processIdentifier)
    }

    /// Polls `postmaster.pid` for the "ready" status the server writes once it accepts connections.
    private func waitUntilReady(within seconds: Double) async throws {
        let pidFile = folder.appendingPathComponent("data/postmaster.pid")
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8) {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count > 7, lines[3] == "\(port)", lines[7].trimmingCharacters(in: .whitespaces) == "ready" {
                    return
                }
            }
            guard Foundation.kill(watcher, 0) == 0 || errno == EPERM else {
                let log = (try? String(contentsOf: folder.appendingPathComponent("postgres-\(port).log"), encoding: .utf8)) ?? ""
                throw ClusterError("the server exited: \(log.suffix(600))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError("the server was not ready within \(seconds) s")
    }

    /// Stops the server (fast shutdown) and removes the folder.
    func stop() async {
        await order("stop")
    }

    /// Leaves an order for the watcher (`stop`, or `crash`: immediate stop keeping the data) and waits until the
    /// watcher has carried it out and ended.
    fileprivate func order(_ name: String) async {
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            var status: Int32 = 0
            let reaped = waitpid(watcher, &status, WNOHANG)
            if reaped == watcher || (reaped == -1 && errno == ECHILD) { return }
            try? await Task.sleep(for: .milliseconds(25))
        }
        Foundation.kill(watcher, SIGKILL)
    }

    // MARK: A cluster that restarts

    /// A cluster of its own that `restart` can stop and start again on the same port and data (the shared one
    /// must never be restarted under other tests).
    static func startPrivate() async throws -> RestartableCluster {
        RestartableCluster(first: try await start())
    }

    // MARK: Processes

    private static let unprivileged: (uid: UInt32, gid: UInt32, setpriv: [String]) = (
        65534, 65534, ["--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    )

    /// Runs a program to its end without blocking a thread of the cooperative pool.
    static func execute(_ arguments: [String], asPostgresUser: Bool) async throws -> (status: Int32, output: String) {
        let process = Process()
        let root = getuid() == 0 && asPostgresUser
        process.executableURL = URL(fileURLWithPath: root ? "/usr/bin/setpriv" : arguments[0])
        process.arguments = root ? unprivileged.setpriv + arguments : Array(arguments.dropFirst())
        if root { process.currentDirectoryURL = URL(fileURLWithPath: "/") }
        let output = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("loket-pg-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    static func freePort() throws -> Int {
        guard let (port, descriptor) = boundLoopbackPort() else { throw ClusterError("cannot bind a loopback port") }
        close(descriptor)
        return port
    }

    /// A PostgreSQL cluster that a test stops and starts again (same folder, same port).
    final class RestartableCluster: @unchecked Sendable {
        // Only the test that owns it touches it, one step at a time.
        private(set) var current: PostgresCluster

        init(first: PostgresCluster) { current = first }

        var port: Int { current.port }
        func url(_ database: String) -> String { current.url(database) }
        func createDatabase() async throws -> String { try await current.createDatabase() }

        /// Stops the server immediately (`SIGQUIT`: no checkpoint, as after a crash), keeps the data, starts again.
        func restart(downFor pause: Duration = .zero) async throws {
            try await crash()
            if pause > .zero { try await Task.sleep(for: pause) }
            try await startAgain()
        }

        /// Stops the server immediately (`SIGQUIT`: as after a crash) and keeps its data.
        func crash() async throws {
            await current.order("crash")
        }

        /// Starts the server again on the same port and data.
        func startAgain() async throws {
            // The crashed server's pid file still says "ready": gone first, so readiness means the new server.
            try? FileManager.default.removeItem(at: current.folder.appendingPathComponent("data/postmaster.pid"))
            let next = try PostgresCluster.launch(bin: current.bin, folder: current.folder, port: current.port)
            try await next.waitUntilReady(within: 60)
            current = next
        }

        /// Stops the server, if it runs, and removes the folder.
        func stop() async {
            await current.stop()
            try? FileManager.default.removeItem(at: current.folder)
        }
    }

}

/// Why the test cluster could not do what was asked.
struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port bound without listening, and its descriptor (the port stays ours until it is closed); nil when
/// no socket can be bound.
func boundLoopbackPort() -> (port: Int, descriptor: Int32)? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
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
        return nil
    }
    return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
}
