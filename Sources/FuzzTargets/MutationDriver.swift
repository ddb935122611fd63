import Foundation
import Tensors

/// The seeded mutator `recsh-fuzz` uses without libFuzzer, and the fault
/// suite uses to damage data files: each input is a corpus entry with one to
/// four edits (bit flips, random or boundary bytes, tokens the readers care
/// about, deletions, duplications, splices with another entry, truncation).
/// The same seed gives the same inputs.
public struct MutationDriver {
    public private(set) var corpus: [Data]
    var rng: SeededGenerator

    /// Words that sit on parsing boundaries in recsh's inputs.
    static let tokens: [String] = [
        "0", "-1", "1e300", "-0", "nan", "inf", "4294967296", "18446744073709551616", "99999999999999999999",
        "\t", "|", "::", ",", "\"", ";", "=", "#", "\n", "\r\n", "\u{FEFF}", "\u{202E}", "{", "}", "[", "]", ":",
        "\"dtype\"", "\"F32\"", "\"shape\"", "\"data_offsets\"", "\"format_version\"", "null", "true", "..", "é",
    ]

    public init(seed: UInt64, corpus: [Data]) {
        self.corpus = corpus.isEmpty ? [Data()] : corpus
        rng = SeededGenerator(seed: seed, stream: "fuzz")
    }

    /// Every file in `directories` (non-recursive), sorted by path.
    public static func readCorpus(_ directories: [String]) -> [Data] {
        directories.flatMap { dir -> [Data] in
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            return names.compactMap { FileManager.default.contents(atPath: dir + "/" + $0) }
        }
    }

    /// The next mutated input.
    public mutating func next() -> Data {
        var bytes = [UInt8](corpus[rng.nextInt(below: corpus.count)])
        for _ in 0...rng.nextInt(below: 4) { mutate(&bytes) }
        return Data(bytes)
    }

    /// One edit of `bytes`.
    public mutating func mutate(_ bytes: inout [UInt8]) {
        func position(_ extra: Int = 0) -> Int { rng.nextInt(below: bytes.count + extra) }
        switch rng.nextInt(below: bytes.isEmpty ? 3 : 9) {
        case 0:
            let token = Array(Self.tokens[rng.nextInt(below: Self.tokens.count)].utf8)
            bytes.insert(contentsOf: token, at: position(1))
        case 1:
            bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(1))
        case 2:
            let other = corpus[rng.nextInt(below: corpus.count)]
            guard !other.isEmpty else { return }
            let from = rng.nextInt(below: other.count), length = 1 + rng.nextInt(below: min(64, other.count - from))
            bytes.insert(contentsOf: other[other.startIndex + from ..< other.startIndex + from + length], at: position(1))
        case 3:
            let i = position()
            bytes[i] ^= UInt8(1) << UInt8(rng.nextInt(below: 8))
        case 4:
            bytes[position()] = [0, 0xFF, 0x7F, 0x80, 0x1E, 0x0A][rng.nextInt(below: 6)]
        case 5:
            let i = position(), length = 1 + rng.nextInt(below: min(16, bytes.count - i))
            bytes.removeSubrange(i..<(i + length))
        case 6:
            let i = position(), length = 1 + rng.nextInt(below: min(32, bytes.count - i))
            bytes.insert(contentsOf: bytes[i..<(i + length)], at: position(1))
        case 7:
            bytes.removeSubrange(position()...)
        default:
            let token = Array(Self.tokens[rng.nextInt(below: Self.tokens.count)].utf8)
            let i = position(), length = min(token.count, bytes.count - i)
            bytes.replaceSubrange(i..<(i + length), with: token)
        }
    }
}
