import Foundation
import GraphRec
import RecShell

/// Every reader of outside input, as a function of raw bytes. Each must
/// return normally, whether it accepted the input or refused it with an
/// error; a trap is a bug. `recsh-fuzz` runs them under libFuzzer (or a
/// seeded mutator) and the tests replay the corpus and every reproducer.
///
/// The targets call the public entry points (the tokenizer and parser,
/// `MovieLensLoader.load`, `SafeTensors.decode`, `Manifest.decode`), not the
/// readers' internals, so they keep working when those are rewritten.
public enum FuzzTargets {
    public struct Target: Sendable {
        public var name: String
        /// What the input bytes are.
        public var summary: String
        public var run: @Sendable (Data) -> Void
    }

    public static let all: [Target] = [
        Target(name: "command-line", summary: "one line of the command language: tokenizer, then the parser per command",
               run: commandLine),
        Target(name: "ml-100k", summary: "u.data, u.item, u.user, u.genre, u.occupation, split at each 0x1E byte",
               run: { files($0, ["u.data", "u.item", "u.user", "u.genre", "u.occupation"]) }),
        Target(name: "ml-1m", summary: "ratings.dat, movies.dat, users.dat, split at each 0x1E byte",
               run: { files($0, ["ratings.dat", "movies.dat", "users.dat"]) }),
        Target(name: "ml-latest", summary: "ratings.csv, movies.csv, split at each 0x1E byte",
               run: { files($0, ["ratings.csv", "movies.csv"]) }),
        Target(name: "safetensors", summary: "a tensors.safetensors file", run: safetensors),
        Target(name: "manifest", summary: "a session manifest.json", run: manifest),
    ]

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    /// The byte that separates one data file from the next in a reader target's input.
    public static let fileSeparator: UInt8 = 0x1E

    static func commandLine(_ data: Data) {
        let line = String(decoding: data, as: UTF8.self)
        guard let commands = try? Tokenizer.commands(in: line) else { return }
        for raw in commands { _ = try? CommandParser.parse(raw, registry: .standard) }
    }

    /// Writes each part of `data` to the next of `names` in a scratch
    /// directory (absent parts: absent files), loads it, and on success builds
    /// the graph and a warm split, as `load` and `split warm` do.
    static func files(_ data: Data, _ names: [String]) {
        let directory = scratch.path
        let parts = data.split(separator: fileSeparator, maxSplits: names.count - 1, omittingEmptySubsequences: false)
        for (i, name) in names.enumerated() {
            let path = directory + "/" + name
            if i < parts.count {
                FileManager.default.createFile(atPath: path, contents: Data(parts[i]))
            } else {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        guard let dataset = try? MovieLensLoader.load(directory: directory) else { return }
        _ = dataset.graph(edges: dataset.positives)
        if let split = try? Split.warm(positives: dataset.positives, seed: 0) { _ = dataset.graph(for: split) }
    }

    static func safetensors(_ data: Data) {
        guard let file = try? SafeTensors.decode(data, file: "fuzz.safetensors") else { return }
        // What decodes must encode and decode to the same tensors.
        if let again = try? SafeTensors.encode(file.ordered, metadata: file.metadata) {
            precondition((try? SafeTensors.decode(again, file: "again"))?.names.sorted() == file.names.sorted(),
                         "safetensors: a decoded file does not survive re-encoding")
        }
    }

    static func manifest(_ data: Data) {
        guard let manifest = try? Manifest.decode(data, file: "manifest.json"),
              let encoded = try? manifest.jsonData() else { return }
        precondition((try? Manifest.decode(encoded, file: "again")) != nil, "manifest: a decoded manifest does not decode again")
    }

    /// Removes the reader targets' scratch directory (call once at the end).
    public static func removeScratch() { try? FileManager.default.removeItem(atPath: scratch.path) }

    /// One directory per process for the reader targets.
    static let scratch: (path: String, ok: Bool) = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/recsh-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
        let ok = (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil
        return (path, ok)
    }()
}
