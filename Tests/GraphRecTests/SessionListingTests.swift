import Foundation
import Testing
@testable import GraphRec

/// `SessionBundle.list` checks what `read` checks cheaply, errors name the
/// file at fault, and names never carry invisible characters.
@Suite struct SessionListingTests {
    static func saved(_ names: [String] = ["s"]) throws -> ScratchDirectory {
        let dir = ScratchDirectory()
        for name in names { try smallSnapshot().save(name: name, directory: dir.path) }
        return dir
    }

    static func problem(_ dir: ScratchDirectory, _ name: String = "s") throws -> String? {
        try #require(try SessionBundle.list(directory: dir.path).first { $0.name == name }).problem
    }

    @Test func intactBundlesListAsReadable() throws {
        let dir = try Self.saved(["a", "b"])
        defer { dir.cleanup() }
        let rows = try SessionBundle.list(directory: dir.path)
        #expect(rows.map(\.name) == ["a", "b"])
        #expect(rows.allSatisfy { $0.problem == nil })
        #expect(rows[0].models.map(\.name) == ["gcn", "pop"])
    }

    @Test func emptyTensorsFileIsUnreadable() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        try Data().write(to: URL(fileURLWithPath: dir.file("s/tensors.safetensors")))
        let problem = try #require(try Self.problem(dir))
        #expect(problem.hasPrefix(dir.file("s/tensors.safetensors") + ": truncated: 0 bytes"))
        // read agrees: whatever sessions calls unreadable, restore refuses.
        #expect(recErrorMessage { _ = try SessionSnapshot.load(name: "s", directory: dir.path) } != nil)
    }

    @Test func manifestAloneIsUnreadable() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        try FileManager.default.removeItem(atPath: dir.file("s/tensors.safetensors"))
        try FileManager.default.removeItem(atPath: dir.file("s/transcript.md"))
        #expect(try Self.problem(dir) == dir.file("s/tensors.safetensors") + ": missing: the bundle is incomplete or damaged")
    }

    @Test func missingTranscriptIsUnreadable() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        try FileManager.default.removeItem(atPath: dir.file("s/transcript.md"))
        #expect(try Self.problem(dir) == dir.file("s/transcript.md") + ": missing: the bundle is incomplete or damaged")
    }

    @Test func truncatedOrPaddedTensorsAreUnreadable() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        let path = dir.file("s/tensors.safetensors")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try original.dropLast(4).write(to: URL(fileURLWithPath: path))
        #expect(try Self.problem(dir)?.contains("truncated: the tensors need") == true)
        try (original + Data([0, 0])).write(to: URL(fileURLWithPath: path))
        #expect(try Self.problem(dir)?.contains("trailing garbage: 2 bytes") == true)
    }

    @Test func tensorsMissingFromTheHeaderAreUnreadable() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        var manifest = try Manifest.decode(try Data(contentsOf: URL(fileURLWithPath: dir.file("s/manifest.json"))), file: "m")
        manifest.models[1].parameters["extra"] = "model/pop/extra"
        let tensors = try SafeTensors.read(path: dir.file("s/tensors.safetensors")).ordered
        try SessionBundle.write(name: "s", directory: dir.path, manifest: manifest, tensors: tensors, transcript: "")
        #expect(try Self.problem(dir) == dir.file("s/tensors.safetensors")
            + ": tensor 'model/pop/extra' of model 'pop' named in manifest.json is missing")
    }

    @Test func inspectAgreesWithDecodeOnEveryTruncation() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        let path = dir.file("s/tensors.safetensors"), cut = dir.file("cut.safetensors")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try SafeTensors.inspect(path: path).entries.count == SafeTensors.decode(original, file: path).names.count)
        for length in stride(from: 0, to: original.count, by: 7) {
            try original.prefix(length).write(to: URL(fileURLWithPath: cut))
            let inspected = recErrorMessage { _ = try SafeTensors.inspect(path: cut) }
            let decoded = recErrorMessage { _ = try SafeTensors.decode(Data(original.prefix(length)), file: cut) }
            #expect(inspected != nil && inspected == decoded, "length \(length)")
        }
    }

    @Test func sessionsDirectoryThatIsAFile() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let file = dir.file("plain")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let expected = "\(file): not a directory; set sessions= to a directory for saved sessions"
        #expect(recErrorMessage { _ = try SessionBundle.list(directory: file) } == expected)
        #expect(recErrorMessage { try smallSnapshot().save(name: "s", directory: file) } == expected)
    }

    @Test func namesWithInvisibleCharactersAreRefusedAndShownEscaped() {
        for (name, scalar) in [("evil\u{202E}gnp", "202E"), ("two\u{2028}lines", "2028"), ("zero\u{200B}width", "200B"),
                               ("bell\u{07}", "7"), ("esc\u{1B}[31m", "1B"), ("del\u{7F}", "7F")] {
            let message = recErrorMessage { try SessionBundle.validateName(name) } ?? ""
            #expect(message.contains("character U+\(scalar)"), "\(message)")
            #expect(!message.unicodeScalars.contains(where: VisibleText.isInvisible), "\(message)")
            #expect(message.contains("\\u{\(scalar)}"))
        }
        for name in ["tour", "Tür-2", "映画", "family\u{1F468}\u{200D}\u{1F469}"] {
            #expect(recErrorMessage { try SessionBundle.validateName(name) } == nil, "\(name)")
        }
    }

    @Test func visibleTextEscapesOnlyWhatATerminalWouldActOn() {
        #expect(VisibleText.escaped("plain café 映画") == "plain café 映画")
        #expect(VisibleText.escaped("a\u{1B}[2Jb") == "a\\u{1B}[2Jb")
        #expect(VisibleText.escaped("x\u{202E}y\u{2029}z") == "x\\u{202E}y\\u{2029}z")
        #expect(VisibleText.escaped("one\ntwo\tthree", keepingLayout: true) == "one\ntwo\tthree")
        #expect(VisibleText.escaped("one\ntwo") == "one\\u{A}two")
        #expect(VisibleText.escaped("\u{85}") == "\\u{85}")       // C1 next line
    }

    @Test func outOfRangeManifestNumbersNameTheirKey() throws {
        let dir = try Self.saved()
        defer { dir.cleanup() }
        let file = dir.file("s/manifest.json")
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("\"min_rating\" : 3", "\"min_rating\" : 1e300", "dataset.min_rating"),
            ("\"seed\" : 7", "\"seed\" : -1", "split.seed"),
            ("\"seed\" : 7", "\"seed\" : 18446744073709551616", "split.seed"),
            ("\"best_epoch\" : 3", "\"best_epoch\" : 1e19", "models[0].history.best_epoch"),
        ]
        for (from, to, key) in cases {
            #expect(original.contains(from), "fixture lacks \(from)")
            try original.replacingOccurrences(of: from, with: to).write(toFile: file, atomically: false, encoding: .utf8)
            let message = recErrorMessage { _ = try SessionSnapshot.load(name: "s", directory: dir.path) } ?? "accepted"
            #expect(message.hasPrefix("\(file): \(key): "), "\(to): \(message)")
            #expect(!message.contains("not valid JSON"), "\(to): \(message)")
        }
        // The largest seed a split can have is not out of range.
        try original.replacingOccurrences(of: "\"seed\" : 7", with: "\"seed\" : 18446744073709551615")
            .write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try SessionSnapshot.load(name: "s", directory: dir.path).split?.seed == UInt64.max)
    }
}
