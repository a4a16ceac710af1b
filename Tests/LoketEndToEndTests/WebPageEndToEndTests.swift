import Foundation
import Testing

/// The citizen's web page in a real browser: two real hubs (office open, office closed by the test-only clock
/// `LOKET_HUB_NOW`) and `Tests/Browser/test_web_page.py`, which drives headless Chromium with Selenium.
@Suite("Citizen web page in a browser", .serialized)
struct WebPageEndToEndTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    /// Monday 30 November 2026, 10:00 in Jakarta: open. Sunday 29 November, 10:00: closed.
    static let openTime = "2026-11-30T03:00:00Z"
    static let closedTime = "2026-11-29T03:00:00Z"
    /// The whole browser suite; far above its usual run time, but it must never hang `swift test`.
    static let timeout: TimeInterval = 420

    static var suite: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/test_web_page.py")
    }

    @Test func theCitizenPageWorksInHeadlessChromium() async throws {
        // Missing tools fail loudly: a browser test that silently passes proves nothing. `.ci/run` installs them.
        var missing = [Self.chromium, Self.chromedriver].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        if await (try? HubProcess.run(["python3", "-c", "import selenium, websocket"])) == nil {
            missing.append("python3 with selenium (pip install selenium)")
        }
        guard missing.isEmpty else {
            Issue.record(Comment(rawValue:
                "browser tests need \(missing.joined(separator: ", ")): run .ci/run, or apt-get install -y chromium "
                    + "chromium-driver and python3 -m pip install selenium"))
            return
        }

        // The suite serves an "office site" here that embeds the page; only this hub allows it.
        let embedOrigin = "http://localhost:\(try HubProcess.freePort())"
        let open = try HubProcess()
        let password = "kata-sandi-uji-web"
        try await open.command(["officer", "add", "petugas", "--name", "Petugas Uji", "--password-stdin"], input: password + "\n")
        try await open.start(arguments: ["--embed-origin", embedOrigin], environment: ["LOKET_HUB_NOW": Self.openTime])
        let closed = try HubProcess()
        try await closed.start(environment: ["LOKET_HUB_NOW": Self.closedTime])

        let started = Date()
        let result = try await Self.runBounded(
            ["python3", Self.suite.path],
            environment: [
                "LOKET_HUB_URL": open.url, "LOKET_HUB_CLOSED_URL": closed.url, "LOKET_EMBED_ORIGIN": embedOrigin,
                "LOKET_OFFICER_USER": "petugas", "LOKET_OFFICER_PASSWORD": password, "PYTHONUNBUFFERED": "1",
            ],
            timeout: Self.timeout)
        let seconds = Int(Date().timeIntervalSince(started))
        #expect(result.status == 0, "browser suite failed (\(seconds) s):\n\(result.output)")
        #expect(result.output.contains("OK"), "browser suite did not report OK:\n\(result.output)")
        await #expect(open.terminate() == 0)
        await #expect(closed.terminate() == 0)
    }

    /// Runs a program in its own process group; past `timeout` the whole group (the browser too) is killed.
    static func runBounded(_ arguments: [String], environment: [String: String], timeout: TimeInterval) async throws
        -> (status: Int32, output: String)
    {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("loket-browser-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try TmuxSession.launch(
            arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, output: outputPath,
            ownGroup: true)
        var status: Int32 = 0
        var finished = false
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                finished = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if !finished {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard finished else { return (124, "timed out after \(Int(timeout)) s\n" + output) }
        return (TmuxSession.exitStatus(status), output)
    }
}
