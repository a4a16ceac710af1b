import Foundation
import LoketCore
import Testing

@testable import LoketUI

@Suite("Themes")
struct ThemeTests {
    let library = ThemeLibrary(environment: ["HOME": "/nonexistent"])

    @Test func everyShippedThemeLoads() throws {
        let names = library.available().map(\.name)
        for required in ["default", "high-contrast", "monochrome", "senja"] {
            #expect(names.contains(required), "theme \(required) is not shipped")
        }
        for name in names {
            let theme = try library.load(name)
            #expect(!theme.roles.isEmpty, "\(name) defines no roles")
        }
    }

    @Test func inheritanceAndRoleFallback() throws {
        let theme = try library.load("high-contrast")
        // Overridden here:
        #expect(theme.style(for: Role.queueSelected).background == .ansi(11))
        // Inherited from default:
        #expect(theme.style(for: Role.statusAlert).bold)
        // A role not named falls back to its parent, then to "text".
        #expect(theme.style(forName: "chat.citizen.extra") == theme.style(for: Role.chatCitizen))
    }

    @Test func monochromeUsesNoColours() throws {
        let theme = try library.load("monochrome")
        for role in Role.allCases {
            let style = theme.style(for: role)
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault, "\(role)")
        }
        #expect(theme.style(for: Role.queueSelected).reverse)
    }

    @Test(arguments: [
        ("name = \"x\"\n[roles]\n\"queue.selected\" = { fg = \"ungu\" }\n", 3, "roles.queue.selected.fg", "unknown colour 'ungu'"),
        ("[roles]\n\"antrian\" = { fg = \"red\" }\n", 2, "roles.antrian", "unknown role"),
        ("[roles]\n\"status\" = { fg = \"red\", modifiers = [\"blink\"] }\n", 2, "roles.status.modifiers", "unknown modifier"),
        ("[palette]\nbiru = \"#12345\"\n", 2, "palette.biru", "expected a colour"),
        ("inherits = \"tidak-ada\"\n", 1, "inherits", "cannot load parent theme 'tidak-ada'"),
        ("warna = 1\n", 1, "warna", "unknown key"),
        ("[roles\n", 1, "", "TOML syntax error"),
    ])
    func badThemesNameFileLineAndKey(text: String, line: Int, key: String, message: String) {
        do {
            _ = try library.parse(text, name: "rusak", file: "rusak.toml")
            Issue.record("accepted a bad theme")
        } catch {
            #expect(error.file == "rusak.toml")
            #expect(error.line == line)
            #expect(error.key == key)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func userThemesComeFromTheConfigDirectoryAndCanInherit() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("loket-theme-\(UUID().uuidString)")
        let directory = config.appendingPathComponent("loket/themes")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }
        try "inherits = \"default\"\n[roles]\n\"status\" = { fg = 208, bg = \"#000000\" }\n"
            .write(to: directory.appendingPathComponent("kantor.toml"), atomically: true, encoding: .utf8)
        try "inherits = \"lingkar\"\n".write(to: directory.appendingPathComponent("lingkar.toml"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(environment: ["XDG_CONFIG_HOME": config.path])
        let theme = try library.load("kantor")
        #expect(theme.style(for: Role.status).foreground == .indexed(208))
        #expect(theme.style(for: Role.status).background == .rgb(0, 0, 0))
        #expect(theme.style(for: Role.title).bold, "inherited from default")
        #expect(throws: DataFileError.self) { try library.load("lingkar") }
    }

    @Test func coloursMapDownToWhatTheTerminalHas() {
        let orange = ThemeColor.rgb(255, 135, 0)
        #expect(orange.number(for: 256) == 208)
        #expect(orange.number(for: 16) == 3, "orange is nearest to the dark yellow of 16 colours")
        #expect((0..<8).contains(orange.number(for: 8) ?? -1))
        #expect(ThemeColor.ansi(12).number(for: 8) == 4)
        #expect(ThemeColor.indexed(196).number(for: 16) == 9)
        #expect(ThemeColor.terminalDefault.number(for: 256) == nil)
        #expect(ThemeColor(parsing: "bright-blue") == .ansi(12))
        #expect(ThemeColor(parsing: "#5fafd7") == .rgb(95, 175, 215))
        #expect(ThemeColor(parsing: "256") == nil)
    }
}

/// The shipped themes are built into the binary from `Sources/LoketUI/Themes`; the two must not drift.
@Suite("Bundled themes")
struct BundledThemeTests {
    @Test func bundledThemesMatchTheRepository() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LoketUI/Themes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == BundledThemes.all.map(\.name).sorted())
        for (name, text) in BundledThemes.all {
            let onDisk = try String(contentsOf: folder.appendingPathComponent("\(name).toml"), encoding: .utf8)
            #expect(onDisk == text, "run scripts/embed-resources.sh after editing \(name).toml")
        }
    }

    @Test func aUserThemeHidesTheShippedOneOfTheSameName() throws {
        let library = ThemeLibrary(environment: ["HOME": "/nonexistent"])
        #expect(library.available().first { $0.name == "default" }?.file == ThemeLibrary.bundledFile("default"))
    }
}
