/// How to address the citizen.
public enum Honorific: String, Sendable, Equatable {
    case bapak = "Bapak"
    case ibu = "Ibu"

    /// "Pak", "Bapak", "Mas", … → Bapak; "Bu", "Ibu", "Mbak", … → Ibu.
    public init?(word: String) {
        switch word.lowercased() {
        case "pak", "bapak", "bpk", "mas", "bang", "abang", "mr", "sir", "tuan": self = .bapak
        case "bu", "ibu", "mbak", "mba", "mbk", "nyonya", "mrs", "ms", "madam": self = .ibu
        default: return nil
        }
    }

    /// A configured or protocol value: only "Bapak" or "Ibu" (any case), as the help and the errors say; the
    /// forms of address citizens write ("Mas", "Tuan") are for recognising messages, not for fields.
    public init?(fieldValue: String) {
        switch fieldValue.lowercased() {
        case "bapak": self = .bapak
        case "ibu": self = .ibu
        default: return nil
        }
    }
}

/// What a single message names: a service, a receipt number, the citizen's name and honorific.
public struct Entities: Sendable, Equatable {
    public var serviceID: String?
    public var receiptNumber: String?
    public var name: String?
    public var honorific: Honorific?

    public init(serviceID: String? = nil, receiptNumber: String? = nil, name: String? = nil, honorific: Honorific? = nil) {
        self.serviceID = serviceID
        self.receiptNumber = receiptNumber
        self.name = name
        self.honorific = honorific
    }
}

/// Finds services by fuzzy alias match, receipt numbers and self-introductions in citizen messages.
public struct EntityExtractor: Sendable {
    /// A service alias as a sequence of word ids into `vocabulary`.
    private struct Alias: Sendable {
        var words: [Int]
        var serviceID: String
    }

    /// Every distinct word used in an alias, and its id.
    private let vocabulary: [[UInt8]]
    private let vocabularyIndex: [String: Int]
    /// Ids of alias words long enough for fuzzy matching, by first byte (a typo in the first letter is not matched).
    private let fuzzyCandidates: [UInt8: [Int]]
    /// Aliases by the id of their first word, longest first.
    private let aliasesByFirstWord: [Int: [Alias]]
    private let receiptPrefix: [UInt8]
    /// Service ids by themselves ("sip"), matched only when written as an acronym.
    private let acronymIDs: [String: String]

    /// Correctly spelt words from the script's examples that are not alias words: never typos of an alias.
    private let knownWords: Set<String>

    public init(services: [Service], normalizer: Normalizer, receiptPrefix: String, knownWords: Set<String> = []) {
        var vocabulary: [[UInt8]] = []
        var vocabularyIndex: [String: Int] = [:]
        var grouped: [Int: [Alias]] = [:]
        for service in services {
            // Not the id: "sip" is also chat slang for "okay", so ids count only when listed as aliases.
            for alias in service.aliases + [service.name] {
                let ids = normalizer.normalize(alias).tokens.map { word -> Int in
                    if let id = vocabularyIndex[word] { return id }
                    vocabularyIndex[word] = vocabulary.count
                    vocabulary.append(Array(word.utf8))
                    return vocabulary.count - 1
                }
                guard let first = ids.first else { continue }
                grouped[first, default: []].append(Alias(words: ids, serviceID: service.id))
            }
        }
        self.vocabulary = vocabulary
        self.vocabularyIndex = vocabularyIndex
        fuzzyCandidates = Dictionary(grouping: vocabulary.indices.filter { vocabulary[$0].count >= 5 }) { vocabulary[$0][0] }
        aliasesByFirstWord = grouped.mapValues { $0.sorted { $0.words.count > $1.words.count } }
        self.receiptPrefix = Array(receiptPrefix.uppercased().utf8)
        acronymIDs = Dictionary(services.map { ($0.id.lowercased(), $0.id) }, uniquingKeysWith: { first, _ in first })
        self.knownWords = knownWords.subtracting(vocabularyIndex.keys)
    }

    public func extract(raw: String, normalized: NormalizedText) -> Entities {
        var entities = Entities()
        entities.serviceID = service(in: normalized.tokens) ?? acronymService(in: raw)
        entities.receiptNumber = receiptNumber(in: raw)
        // Introductions always use one of these words; most messages skip the costlier scan of the raw text.
        if normalized.tokens.contains(where: { $0 == "saya" || $0 == "nama" || $0 == "ini" }) {
            (entities.name, entities.honorific) = introduction(in: raw)
        }
        return entities
    }

    // MARK: Services

    /// A service id written as a capitalised acronym ("SIP"): the id alone is chat slang in lower case ("sip",
    /// okay), but nobody shouts "okay" in capitals in the middle of a question.
    private func acronymService(in raw: String) -> String? {
        guard raw.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        if raw.utf8.allSatisfy({ $0 < 0x80 }) { return asciiAcronymService(in: raw) }
        let letters = raw.unicodeScalars.filter { $0.properties.isAlphabetic }
        // A message in capitals throughout shouts every word; its acronyms are not told apart.
        if letters.allSatisfy({ $0.properties.isUppercase }) { return nil }
        for word in raw.split(whereSeparator: { !$0.isLetter }) where word.count >= 3 && word.allSatisfy(\.isUppercase) {
            if let id = acronymIDs[word.lowercased()] { return id }
        }
        return nil
    }

    /// `acronymService` for ASCII text, byte by byte: letters are A–Z and a–z, words are runs of them, so the same
    /// answer comes without Unicode property look-ups and grapheme breaking (a third of the engine's time per
    /// message went there).
    private func asciiAcronymService(in raw: String) -> String? {
        // A message in capitals throughout shouts every word; its acronyms are not told apart.
        guard raw.utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return nil }
        var found: String?
        var start = -1
        var allUpper = true
        var index = 0
        func endWord() {
            if start >= 0, index - start >= 3, allUpper, found == nil {
                let word = String(decoding: raw.utf8.dropFirst(start).prefix(index - start).map { $0 | 0x20 }, as: UTF8.self)
                found = acronymIDs[word]
            }
            start = -1
            allUpper = true
        }
        for byte in raw.utf8 {
            let isUpper = byte >= 0x41 && byte <= 0x5A
            if isUpper || (byte >= 0x61 && byte <= 0x7A) {
                if start < 0 { start = index }
                allUpper = allUpper && isUpper
            } else {
                endWord()
                if found != nil { return found }
            }
            index += 1
        }
        endWord()
        return found
    }

    /// The service whose alias covers the most words; exact beats fuzzy, then the earliest wins.
    public func service(in tokens: [String]) -> String? {
        // Which alias words each message word matches is worked out once, then aliases are followed by id.
        let matches = tokens.map(aliasWords(matching:))
        var best: (length: Int, exact: Bool, serviceID: String)?
        for start in tokens.indices {
            for (firstWord, firstExact) in matches[start] {
                for alias in aliasesByFirstWord[firstWord] ?? [] where start + alias.words.count <= tokens.count {
                    if let current = best, current.length > alias.words.count { break }
                    var exact = firstExact
                    var matched = true
                    for offset in 1..<max(alias.words.count, 1) {
                        guard let found = matches[start + offset].first(where: { $0.word == alias.words[offset] }) else {
                            matched = false
                            break
                        }
                        exact = exact && found.exact
                    }
                    guard matched else { continue }
                    if let current = best,
                        alias.words.count < current.length || (alias.words.count == current.length && (current.exact || !exact))
                    {
                        continue
                    }
                    best = (alias.words.count, exact, alias.serviceID)
                }
            }
        }
        return best?.serviceID
    }

    private static let suffixes = ["nya", "ku", "mu"]

    /// Alias words this message word stands for: itself, without a possessive suffix, or within a typo or two.
    private func aliasWords(matching token: String) -> [(word: Int, exact: Bool)] {
        if let id = vocabularyIndex[token] { return [(id, true)] }
        for suffix in Self.suffixes where token.count > suffix.count + 2 && token.hasSuffix(suffix) {
            if let id = vocabularyIndex[String(token.dropLast(suffix.count))] { return [(id, true)] }
        }
        if knownWords.contains(token) { return [] }
        let bytes = Array(token.utf8)
        // Short words and acronyms (imb, nib, slf) must match exactly: one letter off is another word.
        guard bytes.count >= 4, let initial = bytes.first else { return [] }
        var found: [(word: Int, exact: Bool)] = []
        for id in fuzzyCandidates[initial] ?? [] {
            let word = vocabulary[id]
            let allowed = word.count >= 9 ? 2 : 1
            if abs(word.count - bytes.count) <= allowed, editDistance(bytes, word, limit: allowed) <= allowed {
                found.append((id, false))
            }
        }
        return found
    }

    // MARK: Receipt numbers

    /// `PREFIX-YYYYMMDD-NNNN`, also written in lowercase or with spaces instead of dashes; returned canonical.
    public func receiptNumber(in raw: String) -> String? {
        let bytes = Array(raw.utf8.prefix(Normalizer.maximumScalars * 4))
        guard bytes.count >= receiptPrefix.count + 12 else { return nil }
        var index = 0
        while index + receiptPrefix.count <= bytes.count {
            var matches = true
            for (offset, expected) in receiptPrefix.enumerated() {
                let byte = bytes[index + offset]
                let upper = byte >= 0x61 && byte <= 0x7A ? byte - 32 : byte
                if upper != expected { matches = false; break }
            }
            if matches, let number = digits(after: index + receiptPrefix.count, in: bytes) {
                return number
            }
            index += 1
        }
        return nil
    }

    private func digits(after start: Int, in bytes: [UInt8]) -> String? {
        var digits: [UInt8] = []
        var index = start
        while index < bytes.count, digits.count < 12 {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte)
            } else if !(byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "/")) {
                break
            }
            index += 1
        }
        guard digits.count == 12, CivilDate(parsing: String(decoding: digits.prefix(8), as: UTF8.self)) != nil else {
            return nil
        }
        let prefix = String(decoding: receiptPrefix, as: UTF8.self)
        return "\(prefix)-\(String(decoding: digits.prefix(8), as: UTF8.self))-\(String(decoding: digits.suffix(4), as: UTF8.self))"
    }

    // MARK: Names

    /// Runs of letters (and ' or -) in the raw text, case kept, with "." for punctuation; scalar-based, as
    /// this runs on most messages.
    private static func letterWords(_ raw: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars.prefix(Normalizer.maximumScalars) {
            let isLetter = scalar.isASCII
                ? (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A || scalar == "'" || scalar == "-"
                : scalar.properties.isAlphabetic
            if isLetter {
                current.append(scalar)
                continue
            }
            if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
            // A sentence break ends a name: "… STR saya. Rekomendasi …" introduces nobody.
            if ".,!?;:\n".unicodeScalars.contains(scalar) { words.append(".") }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// Words that follow "saya" but are not names.
    private static let notNames: Set<String> = [
        "mau", "ingin", "ada", "sudah", "belum", "mohon", "minta", "perlu", "butuh", "punya", "tidak", "nggak", "gak",
        "cuma", "hanya", "sedang", "lagi", "akan", "bisa", "boleh", "kecewa", "warga", "pemilik", "the", "selaku",
    ]

    /// A self-introduction: "nama saya Budi Santoso", "saya Pak Budi", "saya Sari", "ini Bu Sari".
    public func introduction(in raw: String) -> (name: String?, honorific: Honorific?) {
        let words = Self.letterWords(raw)
        let lower = words.map { $0.lowercased() }
        for index in lower.indices {
            var nameStart: Int?
            if lower[index] == "nama", index + 2 < lower.count, lower[index + 1] == "saya" || lower[index + 1] == "sy" {
                nameStart = index + 2
                if lower[index + 2] == "adalah", index + 3 < lower.count { nameStart = index + 3 }
            } else if ["saya", "sy", "ini", "aku"].contains(lower[index]), index + 1 < lower.count {
                nameStart = index + 1
            }
            guard var start = nameStart else { continue }
            let honorific = Honorific(word: lower[start])
            if honorific != nil { start += 1 }
            // "ini" introduces a name only with an honorific ("ini Bu Sari"); "ini KTP saya" is not a name.
            if lower[index] == "ini", honorific == nil { continue }
            let explicitName = lower[index] == "nama"
            var parts: [String] = []
            var cursor = start
            while cursor < words.count, parts.count < 3 {
                let word = words[cursor]
                // "Budi" is a name; "KTP" (all capitals) and "saya" are not.
                let capitalised = word.prefix(1) != lower[cursor].prefix(1) && (word.count == 1 || word != word.uppercased())
                guard (capitalised || (explicitName && parts.isEmpty)) && !Self.notNames.contains(lower[cursor]) else { break }
                if Honorific(word: lower[cursor]) != nil { break }
                parts.append(word.prefix(1).uppercased() + word.dropFirst().lowercased())
                cursor += 1
            }
            // An honorific without a name ("saya pak, …") usually addresses the officer, so it tells us nothing.
            if !parts.isEmpty { return (parts.joined(separator: " "), honorific) }
        }
        return (nil, nil)
    }
}
