import LoketHub
import Testing

@Suite("Origins allowed to use the citizen page")
struct OriginPolicyTests {
    @Test func theHubsOwnOriginAndEmbeddingSitesMayConnectOthersMayNot() {
        let policy = OriginPolicy(embedOrigins: ["https://PTSP.example.go.id/"])
        #expect(policy.embedOrigins == ["https://ptsp.example.go.id"])
        #expect(policy.allows(origin: nil, host: "127.0.0.1:8750"))
        // What the Swift WebSocket client sends: not a browser.
        #expect(policy.allows(origin: "ws://127.0.0.1", host: "127.0.0.1:8750"))
        #expect(policy.allows(origin: "http://127.0.0.1:8750", host: "127.0.0.1:8750"))
        // Behind a TLS proxy the browser says https while the Host is the public name.
        #expect(policy.allows(origin: "https://loket.example.go.id", host: "loket.example.go.id"))
        #expect(policy.allows(origin: "https://ptsp.example.go.id", host: "127.0.0.1:8750"))
        #expect(!policy.allows(origin: "https://evil.example", host: "127.0.0.1:8750"))
        #expect(!policy.allows(origin: "http://127.0.0.1:1", host: "127.0.0.1:8750"))
        #expect(!policy.allows(origin: "null", host: "127.0.0.1:8750"))
        #expect(!policy.allows(origin: "http://127.0.0.1:8750", host: nil))
    }

    @Test func onlyBareOriginsAreAccepted() {
        #expect(OriginPolicy.normalised("https://ptsp.example.go.id") == "https://ptsp.example.go.id")
        #expect(OriginPolicy.normalised("http://[::1]:8750") == "http://[::1]:8750")
        #expect(OriginPolicy.normalised("https://ptsp.example.go.id/chat") == nil)
        #expect(OriginPolicy.normalised("ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("ftp://ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("https://user@ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("https://a.example https://b.example") == nil)
    }
}
