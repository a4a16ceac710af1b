import Foundation
import LoketCore
import Testing

@testable import LoketUI

@Suite("Themes from hostile files")
struct ThemeHardeningTests {
    /// One user theme nested 20,000 deep overflowed the stack and took the whole `loket themes` listing down.
    @Test func aDeepUserThemeFailsAloneWithItsLine() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("loket-themes-\(UUID().uuidString)")
        let directory = config.appendingPathComponent("loket/themes")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }
        let deep = "inherits = \"default\"\n[roles]\n\"status\" = " + String(repeating: "{ fg = ", count: 20_000)
        try deep.write(to: directory.appendingPathComponent("dalam.toml"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(environment: ["XDG_CONFIG_HOME": config.path])
        #expect(library.available().map(\.name).contains("dalam"))
        #expect {
            try library.load("dalam")
        } throws: { error in
            let description = (error as? DataFileError)?.description ?? ""
            return description.hasSuffix("dalam.toml:3: TOML syntax error: nested deeper than 64 levels (arrays, inline tables and dotted keys)")
        }
        // Every other theme still loads.
        for (name, _) in library.available() where name != "dalam" {
            #expect(throws: Never.self) { try library.load(name) }
        }
    }
}
