import Foundation
import Testing
import TestSupport

/// Data files and session bundles a clumsy user or an attacker would hand
/// recsh, each through the binary: the command ends with exit 1 and an error
/// naming the file (and line) at fault with the culprit visible, or, where
/// the input is harmless (duplicate rating lines, a leading byte-order
/// mark), loads with a warning or as intended. Names and messages never
/// carry raw control or bidirectional characters to the terminal.
@Suite(.serialized) struct HostileInputBinaryTests {
    // MARK: Data files

    /// A small ml-100k directory (FaultFixtures' files) with `changes` applied; nil removes a file.
    static func dataSet(_ changes: [String: String?] = [:]) throws -> String {
        let good = try FaultFixtures.ml100k()
        for (file, text) in changes {
            let path = good + "/" + file
            if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) } else {
                try FileManager.default.removeItem(atPath: path)
            }
        }
        return good
    }

    static func file(_ directory: String, _ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    /// The good fixture's `name` with `edit` applied to its text.
    static func edited(_ name: String, _ edit: (String) -> String) throws -> [String: String?] {
        [name: edit(file(try FaultFixtures.ml100k(), name))]
    }

    static let movieZero = "0|Zero (1990)|01-Jan-1990||http://example.org/0|" + Array(repeating: "0", count: 19).joined(separator: "|") + "\n"

    /// (label, data set, load command from its path, the error's expected text).
    static func refusedData() throws -> [(String, String, String, String)] {
        let csvHeaderOnly = try TestFiles.directory(text: [
            "ratings.csv": "userId,movieId,rating,timestamp\n", "movies.csv": "movieId,title,genres\n1,A (1990),Drama\n",
        ], tag: "recsh-hostile")
        let csvEmpty = try TestFiles.directory(text: [
            "ratings.csv": "", "movies.csv": "movieId,title,genres\n1,A (1990),Drama\n",
        ], tag: "recsh-hostile")
        return [
            ("duplicate genre", try dataSet(try edited("u.genre") { $0.replacingOccurrences(of: "\n\n", with: "\nAction|19\n") }),
             "ml-100k", "u.genre line 20: duplicate genre 'Action' (first on line 2)"),
            ("empty u.data", try dataSet(["u.data": ""]), "ml-100k", "u.data: no ratings"),
            ("header-only ratings.csv", csvHeaderOnly, "", "ratings.csv: no ratings"),
            ("empty ratings.csv", csvEmpty, "", "ratings.csv: the file is empty"),
            ("movie id 0", try dataSet(try edited("u.item") { $0 + movieZero }), "ml-100k",
             "u.item line 13: movie id 0 is not a positive whole number"),
            ("movie id -1", try dataSet(try edited("u.item") { $0 + "-1" + movieZero.dropFirst() }),
             "ml-100k", "u.item line 13: movie id -1 is not a positive whole number"),
            ("byte-order mark inside u.data", try dataSet(try edited("u.data") { text in
                var lines = text.components(separatedBy: "\n")
                lines[4] = "\u{FEFF}" + lines[4]
                return lines.joined(separator: "\n")
            }), "ml-100k", "u.data line 5: user id '\\u{FEFF}1' is not a whole number"),
        ]
    }

    @Test func faultyDataFilesAreRefusedNamingFileLineAndCulprit() throws {
        for (label, directory, layout, expected) in try Self.refusedData() {
            let load = layout.isEmpty ? "load \(directory)" : "load \(layout) path=\(directory)"
            let r = try Recsh.run(["--format", "json", "--no-rc", "-c", load])
            let error = r.objects.first?["error"] as? String ?? ""
            #expect(r.status == 1, "\(label): exit \(r.status)")
            #expect(error.contains(directory) && error.contains(expected), "\(label): \(error)")
            #expect(!error.contains("\u{FEFF}"), "\(label): an invisible culprit in \(error)")
        }
    }

    /// Duplicate rating lines are harmless: the first rating is kept, and the count is a warning.
    @Test func duplicateRatingLinesLoadOnceWithAWarning() throws {
        let good = try FaultFixtures.ml100k()
        let directory = try Self.dataSet(["u.data": Self.file(good, "u.data") + Self.file(good, "u.data")])
        let r = try Recsh.run(["--format", "json", "--no-rc", "-c", "load ml-100k path=\(directory)"])
        let load = try #require(r.objects.first)
        #expect(r.status == 0)
        #expect(load["ratings"] as? Int == FaultFixtures.ratings.count)
        #expect(load["duplicate_ratings"] as? Int == FaultFixtures.ratings.count)
        #expect(r.stderr.contains("ignored \(FaultFixtures.ratings.count) duplicate rating lines"), "\(r.stderr)")
    }

    /// A UTF-8 byte-order mark at the start of a file is skipped, as editors write it.
    @Test func leadingByteOrderMarkLoads() throws {
        let directory = try Self.dataSet(try Self.edited("u.data") { "\u{FEFF}" + $0 })
        let r = try Recsh.run(["--format", "json", "--no-rc", "-c", "load ml-100k path=\(directory)"])
        #expect(r.status == 0)
        #expect(r.objects.first?["ratings"] as? Int == FaultFixtures.ratings.count)
    }

    // MARK: Session bundles

    /// A sessions directory holding `good` (a two-layer GCN) and damaged copies of it.
    static func damagedSessions() throws -> String {
        let data = try FaultFixtures.ml100k()
        let sessions = try FaultFixtures.write([:])
        let r = try Recsh.run(["--sessions", sessions, "--format", "json", "--no-rc", "-c",
                               "load ml-100k path=\(data); split warm; train gcn epochs=1 hidden=8 dim=4 layers=2; save good"])
        try #require(r.status == 0, "\(r.stdout) \(r.stderr)")
        let fm = FileManager.default
        func copy(_ name: String, _ damage: (String) throws -> Void) throws {
            try fm.copyItem(atPath: sessions + "/good", toPath: sessions + "/" + name)
            try damage(sessions + "/" + name)
        }
        func manifest(_ pattern: String, _ replacement: String) -> (String) throws -> Void {
            { bundle in
                let path = bundle + "/manifest.json"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let changed = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
                try #require(changed != text, "\(pattern) is not in the manifest")
                try changed.write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
        try copy("layers1", manifest(#""layers"\s*:\s*"2""#, #""layers" : "1""#))
        try copy("zero-tensors") { try Data().write(to: URL(fileURLWithPath: $0 + "/tensors.safetensors")) }
        try copy("manifest-only") { bundle in
            for name in try fm.contentsOfDirectory(atPath: bundle) where name != "manifest.json" {
                try fm.removeItem(atPath: bundle + "/" + name)
            }
        }
        try copy("huge-min-rating", manifest(#""min_rating"\s*:\s*[0-9.]+"#, #""min_rating" : 1e300"#))
        try copy("negative-seed", manifest(#""seed"\s*:\s*0(\s*[,}])"#, #""seed" : -1$1"#))
        try copy("seed-2-64", manifest(#""seed"\s*:\s*0(\s*[,}])"#, #""seed" : 18446744073709551616$1"#))
        return sessions
    }

    /// (bundle, the file the error names, the fault's text).
    static let refusedBundles = [
        ("layers1", "tensors.safetensors", "model 'gcn' (gcn): tensor 'layer2."),
        ("zero-tensors", "tensors.safetensors", "truncated: 0 bytes"),
        ("manifest-only", "tensors.safetensors", "missing"),
        ("huge-min-rating", "manifest.json", "dataset.min_rating: 1e+300 is out of range"),
        ("negative-seed", "manifest.json", "seed: -1 is not a whole number"),
        ("seed-2-64", "manifest.json", "seed: 18446744073709551616 is not a whole number"),
    ]

    @Test func damagedBundlesAreRefusedAndListedAsUnreadable() throws {
        let sessions = try Self.damagedSessions()
        for (name, file, expected) in Self.refusedBundles {
            let r = try Recsh.run(["--sessions", sessions, "--format", "json", "--no-rc", "-c", "restore good; restore \(name); models"])
            let error = r.objects.dropFirst().first?["error"] as? String ?? ""
            #expect(r.status == 1, "\(name): exit \(r.status)")
            #expect(error.contains("\(sessions)/\(name)/\(file): ") && error.contains(expected), "\(name): \(error)")
            // The session is unchanged: the restored good bundle's model is still there.
            let models = r.objects.last?["models"] as? [[String: Any]] ?? []
            #expect(models.map { $0["name"] as? String } == ["gcn"], "\(name): \(r.objects.last ?? [:])")
        }
        let listing = try Recsh.run(["--sessions", sessions, "--format", "json", "--no-rc", "-c", "sessions"])
        let entries = try #require(listing.objects.first?["sessions"] as? [[String: Any]])
        for entry in entries {
            let name = entry["name"] as? String ?? ""
            // The listing checks the cheap things (files, header, manifest); a recorded option that does not fit its tensors is restore's.
            let damaged = Self.refusedBundles.contains { $0.0 == name } && name != "layers1"
            #expect(entry["readable"] as? Bool == !damaged, "\(name): \(entry)")
        }
        #expect(entries.count == Self.refusedBundles.count + 1)
    }

    @Test func aSessionsDirectoryThatIsAFileIsNamed() throws {
        let file = try FaultFixtures.write([:]) + "/not-a-directory"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let r = try Recsh.run(["--sessions", file, "--format", "json", "--no-rc", "-c", "sessions"])
        #expect(r.status == 1)
        #expect((r.objects.first?["error"] as? String ?? "").contains("\(file): not a directory"))
    }

    // MARK: Names

    /// Session names with control, line-separator and bidirectional
    /// characters are refused, and the message spells them out.
    @Test(arguments: ["ab\u{202E}cd", "ab\u{2028}cd", "ab\u{1B}[31mcd", "ab\u{07}cd"])
    func namesWithInvisibleCharactersAreRefusedAndSpelledOut(name: String) throws {
        let data = try FaultFixtures.ml100k(), sessions = try FaultFixtures.write([:])
        for command in ["save", "restore"] {
            let r = try Recsh.run(["--sessions", sessions, "--no-rc", "-c", "load ml-100k path=\(data); \(command) \"\(name)\""])
            #expect(r.status == 1, "\(command): exit \(r.status)")
            #expect(r.stderr.contains("invalid session name 'ab\\u{"), "\(command): \(r.stderr)")
            let raw = r.stdout + r.stderr
            #expect(!raw.unicodeScalars.contains { [0x1B, 0x07, 0x202E, 0x2028].contains($0.value) }, "\(command): raw characters")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: sessions).isEmpty)
    }
}
