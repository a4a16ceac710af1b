import Foundation
import Testing

/// `loket-hub serve`'s WhatsApp options from a shell: what is missing or unsafe is refused with a clear message,
/// secrets come from the environment or files, and no secret is ever echoed.
@Suite("loket-hub WhatsApp options", .serialized)
struct WhatsAppEndToEndTests {
    static let secret = "rahasia-Qx81-jangan-tampil"

    @Test func incompleteOrUnsafeSettingsAreRefusedWithoutEchoingASecret() async throws {
        let hub = try HubProcess()
        let binary = try HubProcess.binary("loket-hub")
        let base = [binary, "serve", "--listen", "127.0.0.1:0", "--data", hub.data.path]
        // The variables of whoever runs the tests must not complete the settings.
        let clean = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LOKET_WHATSAPP_") }

        let partial = try await TmuxSession.spawn(base + ["--whatsapp-app-secret", Self.secret], environment: clean)
        #expect(partial.status != 0)
        #expect(partial.output.contains("--whatsapp-verify-token"))
        #expect(partial.output.contains("--whatsapp-phone-number-id"))
        #expect(!partial.output.contains(Self.secret))

        var complete = clean
        complete["LOKET_WHATSAPP_VERIFY_TOKEN"] = Self.secret
        complete["LOKET_WHATSAPP_APP_SECRET"] = Self.secret
        complete["LOKET_WHATSAPP_ACCESS_TOKEN"] = Self.secret
        let plainHTTP = try await TmuxSession.spawn(
            base + ["--whatsapp-phone-number-id", "1055", "--whatsapp-graph-url", "http://graph.example.com/v21.0"],
            environment: complete)
        #expect(plainHTTP.status != 0)
        #expect(plainHTTP.output.contains("https://"))
        #expect(!plainHTTP.output.contains(Self.secret))

        let secretFile = hub.data.appendingPathComponent("app-secret")
        try "\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let empty = try await TmuxSession.spawn(
            base + ["--whatsapp-phone-number-id", "1055", "--whatsapp-app-secret-file", secretFile.path],
            environment: complete.filter { $0.key != "LOKET_WHATSAPP_APP_SECRET" })
        #expect(empty.status != 0)
        #expect(empty.output.contains("is empty"))

        try "\(Self.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let both = try await TmuxSession.spawn(
            base + [
                "--whatsapp-phone-number-id", "1055", "--whatsapp-app-secret", Self.secret, "--whatsapp-app-secret-file",
                secretFile.path,
            ],
            environment: complete)
        #expect(both.status != 0)
        #expect(both.output.contains("not both"))
        #expect(!both.output.contains(Self.secret))
    }

    @Test func theHubStartsWithSecretsFromTheEnvironmentAndAFile() async throws {
        let hub = try HubProcess()
        let secretFile = hub.data.appendingPathComponent("access-token")
        try "\(Self.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        var environment = ["LOKET_WHATSAPP_VERIFY_TOKEN": "verifikasi-e2e", "LOKET_WHATSAPP_APP_SECRET": "app-e2e"]
        environment["LOKET_WHATSAPP_PHONE_NUMBER_ID"] = "106540352242922"
        try await hub.start(
            arguments: ["--whatsapp-access-token-file", secretFile.path, "--whatsapp-graph-url", "http://127.0.0.1:9/v21.0"],
            environment: environment)
        #expect(await hub.terminate() == 0)
        let help = try await TmuxSession.spawn([try HubProcess.binary("loket-hub"), "serve", "--help"])
        for option in [
            "--whatsapp-verify-token", "--whatsapp-app-secret", "--whatsapp-access-token", "--whatsapp-phone-number-id",
            "--whatsapp-graph-url", "--whatsapp-app-secret-file",
        ] {
            #expect(help.output.contains(option))
        }
    }
}
