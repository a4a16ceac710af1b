import LoketHub
import Testing

@Suite("Origins allowed to use the citizen page")
struct OriginPolicyTests {
    @Test func theHubsOwnOriginAndEmbeddingSitesMayConnectOthersMayNot() {
        // Nothing listens here: the policy only compares the Host header with the Origin.
        let port = Int.random(in: 1024...65535)
        let hub = "127.0.0.1:\(port)"
        let policy = OriginPolicy(embedOrigins: ["https://PTSP.example.go.id/"])
        #expect(policy.embedOrigins == ["https://ptsp.example.go.id"])
        #expect(policy.allows(origin: nil, host: hub))
        // What the Swift WebSocket client sends: not a browser.
        #expect(policy.allows(origin: "ws://127.0.0.1", host: hub))
        #expect(policy.allows(origin: "http://\(hub)", host: hub))
        // Behind a TLS proxy the browser says https while the Host is the public name.
        #expect(policy.allows(origin: "https://loket.example.go.id", host: "loket.example.go.id"))
        #expect(policy.allows(origin: "https://ptsp.example.go.id", host: hub))
        #expect(!policy.allows(origin: "https://evil.example", host: hub))
        #expect(!policy.allows(origin: "http://127.0.0.1:\(port == 1024 ? 1025 : port - 1)", host: hub))
        #expect(!policy.allows(origin: "null", host: hub))
        #expect(!policy.allows(origin: "http://\(hub)", host: nil))
    }

    @Test func onlyBareOriginsAreAccepted() {
        #expect(OriginPolicy.normalised("https://ptsp.example.go.id") == "https://ptsp.example.go.id")
        let port = Int.random(in: 1024...65535)
        #expect(OriginPolicy.normalised("http://[::1]:\(port)") == "http://[::1]:\(port)")
        #expect(OriginPolicy.normalised("https://ptsp.example.go.id/chat") == nil)
        #expect(OriginPolicy.normalised("ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("ftp://ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("https://user@ptsp.example.go.id") == nil)
        #expect(OriginPolicy.normalised("https://a.example https://b.example") == nil)
    }
}
