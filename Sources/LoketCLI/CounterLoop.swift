#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoketCore
import LoketTerminal
import LoketUI

/// The counter screen's loop, the same for training and live mode: draw, read what was typed, and hand it with
/// the clock to the session, until an effect says quit or a terminating signal arrives (returned).
public func runCounter<Source: CitizenSource>(
    screen: TerminalScreen, session: inout CounterSession<Source>, renderer: Renderer, log: DebugLog?
) -> Int32? {
    var firstFrame = true
    while true {
        screen.draw(renderer.render(session.state))
        if firstFrame {
            firstFrame = false
            log?.write("first frame \(DebugLog.millisecondsSinceProcessStart().map { "\($0) ms" } ?? "?") after start")
        }
        // Everything typed or pasted since the last frame is handled before the next one: a 20,000-character
        // paste is one frame, not 20,000.
        var inputs = [screen.read()]
        while inputs.count < 65_536, case .key = inputs[inputs.count - 1] {
            let next = screen.read(waiting: false)
            if next == .timeout { break }
            inputs.append(next)
        }
        var quit = false
        for input in inputs where !quit {
            let event: AppEvent? = switch input {
            case .key(let key): .key(key)
            case .resize(let width, let height): .resize(width: width, height: height)
            case .endOfInput: .inputClosed
            case .timeout: nil
            }
            if let event {
                log?.write("\(event)")
                quit = session.handle(event)
            }
        }
        if session.advance(to: Date()) { quit = true }
        if let signal = screen.stopSignal { return signal }
        if quit { return nil }
    }
}

/// The file `--log` names: one timestamped line per event, never on the screen.
///
/// A log that cannot be written (a full disk, a folder that is gone) stops logging and says so when the screen
/// closes: the shift and its report matter more than the log.
public final class DebugLog {
    public let path: String
    private var descriptor: Int32
    private(set) var failure: Int32?

    public init(path: String) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { failure = errno }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    public func write(_ line: String) {
        guard failure == nil else { return }
        if let code = FileDescriptorOutput.writeAll(Array("\(Date().timeIntervalSince1970) \(line)\n".utf8), to: descriptor) {
            failure = code
            close(descriptor)
            descriptor = -1
        }
    }

    /// What to tell the officer after the screen closes, when logging failed.
    public var closingMessage: String? {
        failure.map { Catalogue.Terminal.logStopped(Printable.sanitized(path), Catalogue.Command.reason(errno: $0)) }
    }

    /// Milliseconds since the kernel started this process (from /proc; 10 ms resolution).
    public static func millisecondsSinceProcessStart() -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let uptimeText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
            let uptime = Double(uptimeText.split(separator: " ").first ?? ""),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name; start time is field 22 overall, the 20th after ")".
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Int(((uptime - ticks / ticksPerSecond) * 1000).rounded())
    }
}
