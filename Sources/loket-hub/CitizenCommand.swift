import ArgumentParser
import Foundation
import LoketCore
import LoketLive
import LoketWire
import Synchronization

/// Writes a line to standard output at once (often a pipe read by a test or script).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `loket-hub citizen`: plays a citizen from the terminal (or a script) until the web page exists: each line of
/// standard input is sent as a message; officer and system messages are printed as they come.
struct Citizen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citizen", abstract: "Chat with the hub as a citizen: lines in, officers' replies out.")

    @Option(help: "The hub's address.") var hub = "http://127.0.0.1:8750"
    @Option(help: "Your name as officers see it.") var name: String?
    @Option(help: "Bapak or Ibu.") var honorific: String?
    @Option(help: "Resume an earlier conversation with its token (printed when a conversation starts).") var resume: String?
    @Option(help: "Seconds to keep listening for replies after standard input ends (0-3600).") var linger: Double = 0

    func validate() throws {
        guard (0...3600).contains(linger) else { throw ValidationError("--linger must be between 0 and 3600 seconds") }
        if let honorific, Honorific(word: honorific) == nil { throw ValidationError("--honorific must be Bapak or Ibu") }
    }

    func run() async throws {
        let socket: WireSocket
        do {
            socket = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hub, path: "/citizen/ws"))
        } catch {
            throw ValidationError("cannot reach \(hub): \(error)")
        }
        socket.send(CitizenCommand.hello(name: name, honorific: honorific, resume: resume).frame.serialized)
        let lines = AsyncStream<String> { continuation in
            Thread.detachNewThread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
        }
        let unacknowledged = Mutex<Set<String>>([])
        let printer = Task {
            while let text = await socket.receive() {
                guard let frame = JSON.parse(text) else { continue }
                switch frame["type"]?.stringValue {
                case "welcome":
                    let open = frame["office"]?["open"] == .bool(true)
                    FileHandle.standardError.write(Data("percakapan \(frame["conversation"]?.stringValue ?? "?") · token \(frame["token"]?.stringValue ?? "?") · kantor \(open ? "buka" : "tutup")\n".utf8))
                    for item in frame["history"]?.arrayItems ?? [] {
                        say("[\(item["from"]?.stringValue ?? "")] \(item["text"]?.stringValue ?? "")")
                    }
                case "message":
                    say("[\(frame["from"]?.stringValue ?? "")] \(frame["text"]?.stringValue ?? "")")
                case "closed":
                    say("[sistem] percakapan ditutup")
                case "ack":
                    _ = unacknowledged.withLock { $0.remove(frame["id"]?.stringValue ?? "") }
                case "error":
                    _ = unacknowledged.withLock { $0.remove(frame["id"]?.stringValue ?? "") }
                    FileHandle.standardError.write(Data("kesalahan: \(frame["message"]?.stringValue ?? "")\n".utf8))
                default:
                    break
                }
            }
        }
        var number = 0
        let run = "\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))"
        for await line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            number += 1
            let id = "\(run)-\(number)"
            unacknowledged.withLock { _ = $0.insert(id) }
            socket.send(CitizenCommand.message(id: id, text: line).frame.serialized)
        }
        // Nothing typed is dropped silently: wait for every acknowledgement (or say what was not confirmed).
        let deadline = Date().addingTimeInterval(15)
        while !unacknowledged.withLock({ $0.isEmpty }), Date() < deadline, !socket.isClosed {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let missing = unacknowledged.withLock { $0.count }
        if missing > 0 { FileHandle.standardError.write(Data("\(missing) pesan belum dikonfirmasi hub\n".utf8)) }
        if linger > 0 { try? await Task.sleep(for: .milliseconds(Int(linger * 1000))) }
        await socket.close()
        printer.cancel()
        if missing > 0 { throw ExitCode(1) }
    }
}
