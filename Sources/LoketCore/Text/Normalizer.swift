#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message reduced to lowercase words, with the clause boundaries the punctuation gave.
public struct NormalizedText: Sendable, Equatable {
    public var tokens: [String]
    /// Token ranges of the clauses (split at . , ! ? ; : and line breaks).
    public var segments: [Range<Int>]
    /// The text carried a question mark.
    public var asked = false

    public var text: String { tokens.joined(separator: " ") }

    public func segmentText(_ range: Range<Int>) -> String { tokens[range].joined(separator: " ") }
}

/// Normalises chat text: case, accents, punctuation, stretched letters, slang and abbreviations from the script.
public struct Normalizer: Sendable {
    /// Longer input is cut here: a 10 KB paste is still answered, in bounded time.
    public static let maximumScalars = 1_000

    private let replacements: [String: [(phrase: [String], replacement: [String])]]

    public init(slang: [String: String]) {
        var replacements: [String: [(phrase: [String], replacement: [String])]] = [:]
        for (key, value) in slang {
            let phrase = Normalizer.words(key)
            guard let first = phrase.first else { continue }
            replacements[first, default: []].append((phrase, Normalizer.words(value)))
        }
        // Longest phrase first, so "matur nuwun" wins over "matur".
        self.replacements = replacements.mapValues { $0.sorted { $0.phrase.count > $1.phrase.count } }
    }

    public func normalize(_ text: String) -> NormalizedText {
        var builder = TokenBuilder()
        // "08.00" and "Rp500.000" are one clause: a point or comma right after a digit breaks the clause only
        // when no digit follows it.
        var pointAfterDigit = false
        // One pass over the scalars, counted here: `prefix` on the scalar view walked the text once more to find its
        // end and checked every index again, and the question mark took a pass of its own.
        var asked = false
        var remaining = Self.maximumScalars
        for scalar in text.unicodeScalars {
            guard remaining > 0 else { break }
            remaining -= 1
            if scalar == "?" { asked = true }
            if pointAfterDigit {
                pointAfterDigit = false
                if ("0"..."9").contains(scalar) {
                    builder.finishWord()
                } else {
                    builder.finishSegment()
                }
            }
            if let letter = Self.foldedLetterOrDigit(scalar) {
                builder.append(letter)
            } else if (scalar == "." || scalar == ","), builder.endsWithDigit {
                pointAfterDigit = true
            } else if Self.isClauseBreak(scalar) {
                builder.finishSegment()
            } else if scalar.isASCII {
                builder.finishWord()
            } else if scalar.properties.isEmojiPresentation || (scalar.value >= 0x2600 && scalar.value <= 0x27BF) {
                // Emoji are words of their own: the slang table can give 🙏 a meaning. Like a full stop they end a
                // clause: in "selamat siang 🙏 mau tanya syarat SIP" the question is a clause of its own.
                builder.finishWord()
                builder.tokens.append(String(scalar))
                builder.finishSegment()
            } else {
                builder.finishWord()
            }
        }
        builder.finishSegment()
        var normalized = applySlang(NormalizedText(tokens: builder.tokens, segments: builder.segments))
        normalized.asked = asked
        return normalized
    }

    /// Collects words byte by byte; a struct rather than closures so no state is boxed on the heap.
    private struct TokenBuilder {
        var tokens: [String] = []
        var segments: [Range<Int>] = []
        var segmentStart = 0
        var word: [UInt8] = []
        var previous: Unicode.Scalar?
        var runLength = 0

        mutating func append(_ letter: Unicode.Scalar) {
            // Three or more of the same letter are one letter stretched for emphasis ("pagiii"); digits are never
            // stretched ("0001", "1111").
            if letter == previous, !("0"..."9").contains(letter) {
                runLength += 1
                if runLength == 3 { word.removeLast(letter.utf8.count) }
                if runLength >= 3 { return }
            } else {
                previous = letter
                runLength = 1
            }
            if letter.isASCII {
                word.append(UInt8(letter.value))
            } else {
                word.append(contentsOf: letter.utf8)
            }
        }

        var endsWithDigit: Bool { word.last.map { (0x30...0x39).contains($0) } ?? false }

        mutating func finishWord() {
            if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
            previous = nil
            runLength = 0
        }

        mutating func finishSegment() {
            finishWord()
            if tokens.count > segmentStart { segments.append(segmentStart..<tokens.count) }
            segmentStart = tokens.count
        }
    }

    private func applySlang(_ input: NormalizedText) -> NormalizedText {
        guard !replacements.isEmpty else { return input }
        var tokens: [String] = []
        var segments: [Range<Int>] = []
        tokens.reserveCapacity(input.tokens.count)
        for segment in input.segments {
            let start = tokens.count
            var index = segment.lowerBound
            while index < segment.upperBound {
                let token = input.tokens[index]
                if let candidates = replacements[token],
                    let match = candidates.first(where: { candidate in
                        index + candidate.phrase.count <= segment.upperBound
                            && input.tokens[index..<index + candidate.phrase.count].elementsEqual(candidate.phrase)
                    })
                {
                    tokens.append(contentsOf: match.replacement)
                    index += match.phrase.count
                } else {
                    tokens.append(token)
                    index += 1
                }
            }
            if tokens.count > start { segments.append(start..<tokens.count) }
        }
        return NormalizedText(tokens: tokens, segments: segments)
    }

    /// Lowercase ASCII letter or digit for the scalar, folding accents ("é" → "e"); nil for anything else.
    private static func foldedLetterOrDigit(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x61...0x7A, 0x30...0x39: return scalar
        case 0x41...0x5A: return Unicode.Scalar(scalar.value + 32)
        case 0..<0x80: return nil
        default:
            guard scalar.properties.isAlphabetic else { return nil }
            return folded(scalar)
        }
    }

    /// Foundation's accent- and case-insensitive folding of one non-ASCII letter, from a table made with it: the
    /// folding itself would link ICU into the binary (about 5 MB of the screen's resident memory).
    static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let pairs = FoldTable.pairs
        var low = 0
        var high = pairs.count / 2
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle * 2] < scalar.value { low = middle + 1 } else { high = middle }
        }
        guard low < pairs.count / 2, pairs[low * 2] == scalar.value else { return scalar }
        return pairs[low * 2 + 1] == 0 ? nil : Unicode.Scalar(pairs[low * 2 + 1])
    }

    private static func isClauseBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", ",", "!", "?", ";", ":", "\n", "\r", "\u{2026}": true
        default: false
        }
    }

    /// Splits a phrase from the script into normalised words (no slang applied).
    static func words(_ phrase: String) -> [String] {
        Normalizer(slang: [:]).normalize(phrase).tokens
    }
}
