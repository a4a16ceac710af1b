import Foundation
import Testing

/// A tmux server of its own running one shell window, for driving the real `loket` binary like a person would.
/// Every wait polls `capture-pane` until the text appears or a deadline passes; nothing sleeps blindly.
final class TmuxSession {
    let socket = "loket-e2e-\(UUID().uuidString.prefix(8))"
    let binary: String

    /// Shift reports of this session go here, not into the home directory.
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-data-\(UUID().uuidString)")

    init(width: Int, height: Int, environment: [String: String] = [:]) async throws {
        binary = try Self.loketBinary()
        var exports = "export PS1='PROMPT$ ' TERM=\(environment["TERM"] ?? "xterm-256color");"
        if environment["XDG_DATA_HOME"] == nil { exports += " export XDG_DATA_HOME='\(dataDirectory.path)';" }
        for (key, value) in environment where key != "TERM" { exports += " export \(key)='\(value)';" }
        try await run(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-s", "e2e",
                 "env -i HOME=\(NSTemporaryDirectory()) PATH=/usr/bin:/bin LANG=C.UTF-8 bash --norc --noprofile"])
        try await run(["set-option", "-t", "e2e", "status", "off"])
        // The status line is off, but the window keeps the size asked for only if told so.
        try await run(["resize-window", "-t", "e2e", "-x", "\(width)", "-y", "\(height)"])
        try await send(literal: exports + " clear")
        try await send(keys: "Enter")
        try await waitFor("PROMPT$")
    }

    deinit {
        _ = try? Self.spawnBlocking(["tmux", "-u", "-L", socket, "kill-server"])
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// The built `loket` next to the test bundle (`swift test` builds it because this target depends on it).
    static func loketBinary() throws -> String {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("loket").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/loket").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw E2EError(message: "loket binary not found near \(runner.path); run `swift build` first")
        }
        return fallback
    }

    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        let result = try await Self.spawn(["tmux", "-u", "-L", socket] + arguments)
        if result.status != 0, arguments.first != "kill-server" {
            throw E2EError(message: "tmux \(arguments.joined(separator: " ")) failed: \(result.output)")
        }
        return result.output
    }

    /// Runs a command and waits for it with posix_spawn and waitpid. Output goes to a file, not a pipe: the tmux
    /// server that new-session starts inherits it and would hold a pipe open for ever.
    /// Runs a command to completion on a thread of its own: waiting here must never hold one of the few threads
    /// that run every test's async work (an in-process hub among them).
    static func spawn(_ arguments: [String], environment: [String: String]? = nil)
        async throws -> (status: Int32, output: String)
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try spawnBlocking(arguments, environment: environment) })
            }
        }
    }

    static func spawnBlocking(_ arguments: [String], environment: [String: String]? = nil)
        throws -> (status: Int32, output: String)
    {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try launch(arguments, environment: environment ?? ProcessInfo.processInfo.environment, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (exitStatus(status), (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    /// Starts a program with standard input from /dev/null and standard output (and error, unless
    /// `discardErrors`) into the file `output`; in a process group of its own when `ownGroup`, so it can be killed
    /// with its children. The test runner's threads block signals; a child must start with none blocked and
    /// default handlers, or tmux and loket never see SIGWINCH and SIGHUP.
    static func launch(
        _ arguments: [String], environment: [String: String], output: String, discardErrors: Bool = false,
        ownGroup: Bool = false
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if discardErrors {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw E2EError(message: "cannot start \(arguments[0]): error \(spawned)") }
        return pid
    }

    /// WIFEXITED / WEXITSTATUS by hand (the macros do not import): the exit status, or 128 + the signal.
    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    func send(literal text: String) async throws { try await run(["send-keys", "-t", "e2e", "-l", text]) }

    func send(keys: String...) async throws { try await run(["send-keys", "-t", "e2e"] + keys) }

    func capture() async throws -> String { try await run(["capture-pane", "-p", "-t", "e2e"]) }

    func resize(width: Int, height: Int) async throws {
        try await run(["resize-window", "-t", "e2e", "-x", "\(width)", "-y", "\(height)"])
    }

    /// Starts loket in the shell; its exit code is printed after it ends.
    func start(_ arguments: String) async throws {
        try await send(literal: "\(binary) \(arguments); echo \"EXIT=$?\"")
        try await send(keys: "Enter")
    }

    /// Polls the screen until `predicate` holds, failing with the last screen after `timeout` seconds.
    @discardableResult
    func waitFor(timeout: TimeInterval = 20, _ description: String = "", _ predicate: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try await capture()
            if predicate(screen) { return screen }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError(message: "timed out waiting for \(description); screen was:\n\(screen)")
    }

    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 20) async throws -> String {
        try await waitFor(timeout: timeout, "\"\(text)\"") { $0.contains(text) }
    }
}

struct E2EError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
