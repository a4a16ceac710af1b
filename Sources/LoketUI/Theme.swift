#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LoketCore

/// A colour as a theme writes it: the terminal's default, one of the 16 ANSI colours, a 256-colour index, or RGB.
public enum ThemeColor: Sendable, Equatable {
    case terminalDefault
    case ansi(Int)
    case indexed(Int)
    case rgb(Int, Int, Int)

    static let names = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "bright_black", "bright_red",
        "bright_green", "bright_yellow", "bright_blue", "bright_magenta", "bright_cyan", "bright_white",
    ]

    /// Parses "cyan", "bright_red", "default", "208" or "#5fafd7"; nil when none of these.
    init?(parsing text: String) {
        let lower = text.lowercased()
        if lower == "default" || lower == "none" {
            self = .terminalDefault
        } else if let index = Self.names.firstIndex(of: lower.replacing("-", with: "_")) {
            self = .ansi(index)
        } else if let index = Int(lower), (0...255).contains(index) {
            self = .indexed(index)
        } else if lower.hasPrefix("#"), lower.count == 7, let value = Int(lower.dropFirst(), radix: 16) {
            self = .rgb(value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF)
        } else {
            return nil
        }
    }

    /// The nearest colour a terminal with `colors` colours can show (8, 16 or 256), as a colour number;
    /// nil for the terminal's default.
    public func number(for colors: Int) -> Int? {
        switch self {
        case .terminalDefault: return nil
        case .ansi(let index): return colors >= 16 ? index : index % 8
        case .indexed(let index):
            if colors >= 256 || index < colors { return index }
            let (r, g, b) = Self.rgbOf(index: index)
            return ThemeColor.rgb(r, g, b).number(for: colors)
        case .rgb(let r, let g, let b):
            if colors >= 256 { return Self.nearest256(r, g, b) }
            let count = colors >= 16 ? 16 : 8
            return (0..<count).min { Self.distance(Self.rgbOf(index: $0), (r, g, b)) < Self.distance(Self.rgbOf(index: $1), (r, g, b)) }
        }
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return dr * dr * 3 + dg * dg * 4 + db * db * 2
    }

    /// xterm's default RGB for a colour number.
    static func rgbOf(index: Int) -> (Int, Int, Int) {
        let ansi: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
            (255, 255, 255),
        ]
        if index < 16 { return ansi[index] }
        if index >= 232 {
            let level = 8 + (index - 232) * 10
            return (level, level, level)
        }
        let cube = index - 16
        let levels = [0, 95, 135, 175, 215, 255]
        return (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
    }

    private static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        (16..<256).min { distance(rgbOf(index: $0), (r, g, b)) < distance(rgbOf(index: $1), (r, g, b)) } ?? 15
    }
}

/// How one role is drawn.
public struct RoleStyle: Sendable, Equatable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false
}

/// A theme: a style per role, with roles falling back to their parent ("queue.selected" → "queue" → "text").
public struct Theme: Sendable {
    public let name: String
    public let file: String
    public let roles: [String: RoleStyle]
    /// Every role resolved once, so drawing looks styles up by index.
    private let resolved: [Role: RoleStyle]

    public init(name: String, file: String, roles: [String: RoleStyle]) {
        self.name = name
        self.file = file
        self.roles = roles
        var resolved: [Role: RoleStyle] = [:]
        for role in Role.allCases { resolved[role] = Self.lookUp(role.rawValue, in: roles) }
        self.resolved = resolved
    }

    public func style(for role: Role) -> RoleStyle { resolved[role] ?? RoleStyle() }

    public func style(forName name: String) -> RoleStyle { Self.lookUp(name, in: roles) }

    private static func lookUp(_ name: String, in roles: [String: RoleStyle]) -> RoleStyle {
        var key = name
        while true {
            if let style = roles[key] { return style }
            guard let dot = key.lastIndex(of: ".") else { break }
            key = String(key[..<dot])
        }
        return roles[Role.text.rawValue] ?? RoleStyle()
    }

    /// Used when no theme file can be read: readable on any terminal, colours or not.
    public static let builtIn = Theme(name: "bawaan", file: "(bawaan)", roles: [
        Role.queueSelected.rawValue: RoleStyle(reverse: true), Role.suggestionSelected.rawValue: RoleStyle(reverse: true),
        Role.status.rawValue: RoleStyle(reverse: true), Role.statusAlert.rawValue: RoleStyle(bold: true, reverse: true),
        Role.title.rawValue: RoleStyle(bold: true), Role.queueBreach.rawValue: RoleStyle(bold: true, underline: true),
    ])
}

/// Finds and loads themes: the shipped ones and the user's own in `$XDG_CONFIG_HOME/loket/themes`.
public struct ThemeLibrary: Sendable {
    public let directories: [String]

    /// How a shipped theme's file is named in listings and errors: it is built into the binary.
    public static func bundledFile(_ name: String) -> String { "\(name).toml (bawaan)" }

    public init(environment: [String: String]) {
        var directories: [String] = []
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { "\($0)/.config" }
        if let config { directories.append("\(config)/loket/themes") }
        self.directories = directories
    }

    /// Theme names with the file each comes from; a user theme hides a shipped one of the same name.
    public func available() -> [(name: String, file: String)] {
        var seen = Set<String>()
        var result: [(String, String)] = []
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                if seen.insert(name).inserted { result.append((name, "\(directory)/\(file)")) }
            }
        }
        for (name, _) in BundledThemes.all where seen.insert(name).inserted { result.append((name, Self.bundledFile(name))) }
        return result.sorted { $0.0 < $1.0 }
    }

    public func load(_ name: String) throws(DataFileError) -> Theme {
        try load(name, chain: [])
    }

    private func load(_ name: String, chain: [String]) throws(DataFileError) -> Theme {
        guard let file = available().first(where: { $0.name == name })?.file else {
            let known = available().map(\.name).joined(separator: ", ")
            throw DataFileError(file: "\(name).toml", line: nil, key: "", message: "no such theme; available: \(known)")
        }
        if file == Self.bundledFile(name), let bundled = BundledThemes.all.first(where: { $0.name == name }) {
            return try parse(bundled.text, name: name, file: file, chain: chain + [name])
        }
        return try parse(try DataFile.read(file), name: name, file: file, chain: chain + [name])
    }

    /// Parses a theme; `inherits` loads the parent first and overrides its roles.
    public func parse(_ text: String, name: String, file: String, chain: [String] = []) throws(DataFileError) -> Theme {
        func fail(_ key: String, _ line: Int?, _ message: String) -> DataFileError {
            DataFileError(file: file, line: line, key: key, message: message)
        }
        let root = try DataFile.parseTOML(text, source: file)
        for (key, value) in root.entries where !["name", "description", "inherits", "palette", "roles"].contains(key) {
            throw fail(key, value.line, "unknown key; expected name, description, inherits, palette or roles")
        }
        var roles: [String: RoleStyle] = [:]
        if let parentValue = root["inherits"] {
            guard let parent = parentValue.string else { throw fail("inherits", parentValue.line, "expected a theme name") }
            if chain.contains(parent) || parent == name {
                throw fail("inherits", parentValue.line, "inheritance loop: \((chain + [parent]).joined(separator: " → "))")
            }
            do {
                roles = try load(parent, chain: chain.isEmpty ? [name] : chain).roles
            } catch {
                throw fail("inherits", parentValue.line, "cannot load parent theme '\(parent)': \(error.description)")
            }
        }
        var palette: [String: ThemeColor] = [:]
        if let paletteValue = root["palette"] {
            guard let table = paletteValue.table else { throw fail("palette", paletteValue.line, "expected a table") }
            for (key, value) in table.entries {
                guard let text = value.string, let color = ThemeColor(parsing: text) else {
                    throw fail("palette.\(key)", value.line, "expected a colour: a name, 0–255 or #rrggbb")
                }
                palette[key] = color
            }
        }
        func color(_ value: TOMLValue, _ key: String) throws(DataFileError) -> ThemeColor {
            if let index = value.integer, (0...255).contains(index) { return .indexed(index) }
            guard let text = value.string else { throw fail(key, value.line, "expected a colour") }
            if let named = palette[text] { return named }
            guard let parsed = ThemeColor(parsing: text) else {
                throw fail(key, value.line, "unknown colour '\(text)'; use a name (red, bright_blue…), 0–255, #rrggbb or a palette entry")
            }
            return parsed
        }
        if let rolesValue = root["roles"] {
            guard let table = rolesValue.table else { throw fail("roles", rolesValue.line, "expected a table") }
            for (role, value) in table.entries {
                let key = "roles.\(role)"
                let names = Role.allCases.map(\.rawValue)
                guard names.contains(role) || names.contains(where: { $0.hasPrefix(role + ".") }) else {
                    throw fail(key, value.line, "unknown role; known roles: \(names.joined(separator: ", "))")
                }
                guard let spec = value.table else { throw fail(key, value.line, "expected { fg = …, bg = …, modifiers = […] }") }
                var style = roles[role] ?? RoleStyle()
                for (field, fieldValue) in spec.entries {
                    switch field {
                    case "fg": style.foreground = try color(fieldValue, "\(key).fg")
                    case "bg": style.background = try color(fieldValue, "\(key).bg")
                    case "modifiers":
                        guard let list = fieldValue.array else { throw fail("\(key).modifiers", fieldValue.line, "expected a list") }
                        for item in list {
                            switch item.string {
                            case "bold": style.bold = true
                            case "reversed", "reverse": style.reverse = true
                            case "underlined", "underline": style.underline = true
                            case "dim": style.dim = true
                            default:
                                throw fail("\(key).modifiers", item.line, "unknown modifier; use bold, reversed, underlined or dim")
                            }
                        }
                    default:
                        throw fail("\(key).\(field)", fieldValue.line, "unknown field; use fg, bg or modifiers")
                    }
                }
                roles[role] = style
            }
        }
        let displayName = root["name"]?.string ?? name
        return Theme(name: displayName, file: file, roles: roles)
    }
}
