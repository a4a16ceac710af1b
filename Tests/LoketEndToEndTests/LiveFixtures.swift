import Foundation
import LoketCore
import LoketLive
import LoketWire

/// The officer most live end-to-end tests answer as.
enum Ani {
    static let username = "ani"
    static let password = "rahasia-ani"
}

extension HubProcess {
    /// `loket-hub officer add ani` against this hub's store.
    func addOfficerAni() async throws {
        try await command(
            ["officer", "add", Ani.username, "--name", "Ani Wijaya", "--password-stdin"], input: "\(Ani.password)\n")
    }

    /// `loket login` as Ani at this hub, with a config folder of its own; that folder, for `XDG_CONFIG_HOME`.
    func logInAniAtTheTerminal() async throws -> String {
        let config = data.appendingPathComponent("config").path
        try await Self.run(
            [try TmuxSession.loketBinary(), "login", "--hub", url, "--user", Ani.username], input: "\(Ani.password)\n",
            environment: ["XDG_CONFIG_HOME": config])
        return config
    }
}

/// Budi Santoso says hello on `hub` and asks to renew his business permit, acknowledged: the conversation the
/// officer's screen opens with. His connection, and the token that resumes it.
func budiAsksToRenewHisPermit(on hub: String) async throws -> (socket: WireSocket, token: String) {
    let citizen = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hub, path: "/citizen/ws"))
    citizen.send(CitizenCommand.hello(name: "Budi Santoso", honorific: "Bapak", resume: nil).frame.serialized)
    let welcome = try await frame(citizen, "welcome")
    guard let token = welcome["token"]?.stringValue else { throw E2EError(message: "welcome without a token") }
    citizen.send(CitizenCommand.message(id: "c1", text: "Selamat pagi, saya mau perpanjang izin usaha").frame.serialized)
    _ = try await frame(citizen, "ack")
    return (citizen, token)
}

/// The next frame of `type` (and author `from`), skipping others, within 20 seconds.
func frame(_ socket: WireSocket, _ type: String, from: String? = nil) async throws -> JSON {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        guard let text = await socket.receive(within: max(0.05, deadline.timeIntervalSinceNow)) else { break }
        if let json = JSON.parse(text), json["type"]?.stringValue == type, from == nil || json["from"]?.stringValue == from {
            return json
        }
    }
    throw E2EError(message: "no \(type) frame within 20 s")
}
