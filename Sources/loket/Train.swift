import ArgumentParser
import Foundation
import LoketCore
import LoketTerminal
import LoketUI

/// `loket` / `loket train`: trainee mode against simulated citizens (the default command).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Trainee mode: practise with simulated citizens (default).")

    @OptionGroup var scriptOptions: ScriptOptions

    @Option(help: "Seed for the simulated citizens; the same seed replays the same shift.")
    var seed: UInt64?

    @Option(help: "Scenario file (TOML) for the simulated citizens instead of the bundled ones.")
    var scenarios: String?

    @Option(help: "Theme name (see 'loket themes').")
    var theme = "default"

    @Option(help: "Seconds of waiting before a citizen's wait turns to the warning colour.")
    var warnAfter: Double = WaitThresholds.liveChat.warning

    @Option(help: "Seconds of waiting before a citizen's wait turns to the breach colour.")
    var breachAfter: Double = WaitThresholds.liveChat.breach

    @Option(help: "Mean seconds between arriving citizens.")
    var arrivalEvery: Double = 45

    @Option(help: "Write a debug log (start-up time, keys, resizes) to this file.")
    var log: String?

    func validate() throws {
        guard warnAfter > 0, breachAfter > warnAfter else {
            throw ValidationError("--breach-after must be greater than --warn-after, both positive")
        }
        guard arrivalEvery > 0 else { throw ValidationError("--arrival-every must be positive") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let script = try scriptOptions.loadScript()
        let scenarioList: [Scenario]
        do {
            if let scenarios {
                scenarioList = try ScenarioLoader.load(contentsOf: scenarios)
            } else {
                scenarioList = try ScenarioLoader.loadDefault()
            }
        } catch {
            throw ValidationError(error.description)
        }
        let library = ThemeLibrary(environment: environment)
        var themeWarning: String?
        let chosenTheme: Theme
        do {
            chosenTheme = try library.load(theme)
        } catch {
            themeWarning = Catalogue.Terminal.themeFallback(error.description)
            chosenTheme = (try? library.load("default")) ?? .builtIn
        }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty

        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(term: environment["TERM"], theme: chosenTheme, noColor: noColor)
        } catch {
            writeError(error.description)
            throw ExitCode(2)
        }
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        let engine = Engine(script: script)
        let start = Date()
        let simulator = Simulator(scenarios: scenarioList, seed: seed, start: start, meanArrivalSeconds: arrivalEvery)
        let size = screen.size
        var state = AppState(
            now: start, width: size.width, height: size.height, simulator: simulator,
            thresholds: WaitThresholds(warning: warnAfter, breach: breachAfter, hardLimit: WaitThresholds.liveChat.hardLimit))
        let renderer = Renderer(calendar: script.calendar)
        let debugLog = log.flatMap(DebugLog.init(path:))
        debugLog?.write("theme \(chosenTheme.name), \(screen.colorCount) colours, \(size.width)×\(size.height), seed \(seed)")

        var running = true
        var firstFrame = true
        while running {
            screen.draw(renderer.render(state))
            if firstFrame {
                firstFrame = false
                debugLog?.write("first frame \(DebugLog.millisecondsSinceProcessStart().map { "\($0) ms" } ?? "?") after start")
            }
            let event: AppEvent? = switch screen.read() {
            case .key(let key): .key(key)
            case .resize(let width, let height): .resize(width: width, height: height)
            case .endOfInput: .inputClosed
            case .timeout: nil
            }
            var effects: [AppEffect] = []
            if let event {
                debugLog?.write("\(event)")
                effects += state.update(event, engine: engine)
            }
            effects += state.update(AppEvent.tick(Date()), engine: engine)
            if effects.contains(.quit) { running = false }
        }
        screen.close()
        if let themeWarning { writeError(themeWarning) }
        writeError(Catalogue.Terminal.sessionEnded(seed: seed))
    }
}

/// `loket themes`: lists the themes Loket can find and checks each one.
struct Themes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "themes", abstract: "List the available themes and check that each one loads.")

    func run() throws {
        let library = ThemeLibrary(environment: ProcessInfo.processInfo.environment)
        var failures = 0
        for (name, file) in library.available() {
            do {
                let theme = try library.load(name)
                writeLine("\(name)\t\(theme.roles.count) peran\t\(file)")
            } catch {
                failures += 1
                writeLine("\(name)\tGAGAL: \(error.description)")
            }
        }
        writeLine("Folder tema: \(library.directories.joined(separator: ", "))")
        if failures > 0 { throw ExitCode(1) }
    }
}

/// The file `--log` names: one timestamped line per event, never on the screen.
final class DebugLog {
    private let handle: FileHandle

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { return nil }
        self.handle = handle
    }

    func write(_ line: String) {
        handle.write(Data("\(Date().timeIntervalSince1970) \(line)\n".utf8))
    }

    /// Milliseconds since the kernel started this process (from /proc; 10 ms resolution).
    static func millisecondsSinceProcessStart() -> Int? {
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
