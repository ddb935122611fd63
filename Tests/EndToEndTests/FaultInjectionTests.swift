import Foundation
import FuzzTargets
import GraphRec
import Testing
import TestSupport
import Tensors

/// Damaged and hostile input through the binary: truncated and byte-flipped
/// bundles, bundles whose tensors are consistent (checksums fixed) but of the
/// wrong shape, every data file mutated by the seeded mutator, and option
/// values at and past their ranges and in costly combinations. Every case
/// must end in success or in an exit-1 error that leaves the session as it
/// was (the `info` and `models` after it equal the ones before it), never
/// in a signal or a hang. Each test prints its tally.
@Suite(.serialized) struct FaultInjectionTests {
    // MARK: Data files

    @Test func mutatedML100KFiles() throws {
        let good = try FaultFixtures.ml100k()
        var cases: [FaultCase] = []
        for (file, count) in [("u.data", 40), ("u.item", 30), ("u.user", 30), ("u.genre", 25)] {
            cases += try FaultFixtures.mutations(of: good, file: file, count: count, seed: 100) { dir in
                "load ml-100k path=\(dir)"
            }
        }
        let tally = try FaultRunner.run(cases, setup: ["load ml-100k path=\(good)", "split warm"], label: "ml-100k files")
        #expect(tally.crashes == 0 && tally.unclean == 0)
        #expect(tally.cases == 125)
    }

    @Test func mutatedDatAndCSVFiles() throws {
        let dat = try FaultFixtures.ml1m(), csv = try FaultFixtures.mlLatest()
        var cases: [FaultCase] = []
        for (file, count) in [("ratings.dat", 30), ("movies.dat", 15), ("users.dat", 15)] {
            cases += try FaultFixtures.mutations(of: dat, file: file, count: count, seed: 200) { "load \($0)" }
        }
        cases += try FaultFixtures.mutations(of: csv, file: "ratings.csv", count: 30, seed: 300) { "load \($0)" }
        cases += try FaultFixtures.mutations(of: csv, file: "movies.csv", count: 10, seed: 400) { "load \($0)" }
        // The same ratings.csv read as a plain rating table (header and separator detected).
        cases += try FaultFixtures.mutations(of: csv, file: "ratings.csv", count: 20, seed: 500) { "load \($0)/ratings.csv" }
        let tally = try FaultRunner.run(cases, setup: ["load \(dat)", "split warm"], label: "ml-1m .dat and CSV files")
        #expect(tally.crashes == 0 && tally.unclean == 0)
        #expect(tally.cases == 120)
    }

    // MARK: Bundles

    @Test func truncatedAndByteFlippedBundles() throws {
        let sessions = try FaultFixtures.savedSessions()
        let bundle = sessions + "/good"
        var cases: [FaultCase] = []
        var rng = SeededGenerator(seed: 600)
        for file in [SessionBundle.tensorsFile, SessionBundle.manifestFile] {
            let original = try Data(contentsOf: URL(fileURLWithPath: bundle + "/" + file))
            let cuts = [0, 1, 7, 8, 9, original.count / 4, original.count / 2, original.count - 1]
                + (0..<4).map { _ in rng.nextInt(below: original.count) }
            for cut in cuts {
                cases.append(try FaultFixtures.damagedCopy(of: bundle, in: sessions, file: file, name: "cut-\(cases.count)") {
                    $0.prefix(cut)
                })
            }
            for _ in 0..<20 {
                let i = rng.nextInt(below: original.count), bit = UInt8(1) << UInt8(rng.nextInt(below: 8))
                cases.append(try FaultFixtures.damagedCopy(of: bundle, in: sessions, file: file, name: "flip-\(cases.count)") {
                    var d = $0
                    d[d.startIndex + i] ^= bit
                    return d
                })
            }
        }
        let tensorCases = cases.filter { $0.label.contains(SessionBundle.tensorsFile) }
        let tensors = try FaultRunner.run(tensorCases, setup: ["restore good"], sessions: sessions,
                                          label: "truncated and flipped tensors files")
        #expect(tensors.crashes == 0 && tensors.unclean == 0)
        // Every damaged tensors file is refused (a flip inside a float only changes a weight: the checksum catches it).
        #expect(tensors.cleanErrors == tensors.cases, "\(tensors)")
        // A manifest flip may land where it changes nothing that matters (a space, the version text): success is allowed.
        let manifests = try FaultRunner.run(cases.filter { !$0.label.contains(SessionBundle.tensorsFile) }, setup: ["restore good"],
                                            sessions: sessions, label: "truncated and flipped manifests")
        #expect(manifests.crashes == 0 && manifests.unclean == 0)
        #expect(manifests.cleanErrors > manifests.cases / 2, "\(manifests)")
    }

    /// Each tensor of each model (GCN, GAT, EASE, MF, with and without ID
    /// embeddings) one row or one column off, the bundle's checksums rewritten
    /// so only the meaning is wrong; the follow-ups use every model the way
    /// the old crashes did (`recommend ... why`, `eval`, `attention`).
    @Test func bundlesWithConsistentButWrongShapes() throws {
        let sessions = try FaultFixtures.savedSessions()
        let snapshot = try SessionSnapshot.load(name: "good", directory: sessions)
        var cases: [FaultCase] = []
        let followUps = ["eval", "recommend 1 why", "recommend 1 model=gat why", "attention user 1", "whatif 1 like 3"]
        for (m, model) in snapshot.models.enumerated() {
            var variants: [(String, ModelRecord)] = []
            for (name, tensor) in model.parameters.sorted(by: { $0.key < $1.key }) {
                for (label, rows, cols) in [("rows+1", tensor.rows + 1, tensor.cols), ("cols+1", tensor.rows, tensor.cols + 1),
                                            ("transposed", tensor.cols, tensor.rows)] where (rows, cols) != (tensor.rows, tensor.cols) {
                    var bad = model
                    bad.parameters[name] = Matrix(rows: rows, cols: cols, repeating: 0.01)
                    variants.append(("\(model.name).\(name) \(label)", bad))
                }
            }
            if let e = model.embeddings {
                var bad = model
                bad.embeddings = Embeddings(users: Matrix(rows: e.users.rows + 2000, cols: e.users.cols), items: e.items)
                variants.append(("\(model.name) user embeddings +2000 rows", bad))
                bad.embeddings = Embeddings(users: e.users, items: Matrix(rows: e.items.rows + 1, cols: e.items.cols))
                variants.append(("\(model.name) item embeddings one row more", bad))
            }
            for (label, bad) in variants {
                var s = snapshot
                s.models[m] = bad
                let name = "shape-\(cases.count)"
                _ = try s.save(name: name, directory: sessions)
                cases.append(FaultCase(label: label, command: "restore \(name)", followUps: followUps))
            }
        }
        #expect(Set(snapshot.models.map(\.kind)) == ["gcn", "gat", "ease", "mf"])
        let tally = try FaultRunner.run(cases, setup: ["restore good"], sessions: sessions, label: "wrong-shape bundles")
        #expect(tally.crashes == 0 && tally.unclean == 0)
        #expect(tally.cleanErrors == tally.cases, "a wrong shape was accepted: \(tally)")
        #expect(tally.cases > 60)
    }

    // MARK: Options

    /// Every option of every model kind at both ends of its range and just
    /// past them (and words that are not values), with everything else small.
    @Test func optionValuesAtAndPastTheirRanges() throws {
        let data = try FaultFixtures.ml100k()
        var cases: [FaultCase] = []
        for kind in ModelRegistry.kinds {
            let hasEpochs = kind.options.contains { $0.name == "epochs" }
            for option in kind.options {
                // Epoch-like counts at their maximum are long by design (linear, with progress and Ctrl-C), not faults.
                let long = ["epochs", "iterations"].contains(option.name)
                let small = hasEpochs && option.name != "epochs" ? " epochs=1" : ""
                for value in FaultFixtures.boundaryValues(option.type, includeMaximum: !long) {
                    cases.append(FaultCase(label: "\(kind.name) \(option.name)=\(value)",
                                           command: "train \(kind.name)\(small) \(option.name)=\(value)", followUps: []))
                }
            }
        }
        let tally = try FaultRunner.run(cases, setup: ["load ml-100k path=\(data)", "split warm"],
                                        label: "option values at and past their ranges")
        #expect(tally.crashes == 0 && tally.unclean == 0)
        #expect(tally.cleanErrors > 0 && tally.successes > 0)
    }

    /// The reproducers and their relatives: products of options each within its range.
    @Test(.enabled(if: FaultFixtures.realDataAvailable, "needs ML-100K (RECSH_TEST_DATA)"))
    func costlyOptionCombinations() throws {
        let commands = [
            "lsh bench items=1000 tables=256 candidates=100000000 runs=1",
            "lsh bench items=1000000 dim=1024 queries=100000 runs=1",
            "lsh model=pop tables=256 candidates=100000000",
            "train gat epochs=1 hidden=4096 heads=64",
            "train gat epochs=1 heads=64 dim=4096",
            "train gat epochs=1 layers=8 heads=64 hidden=512",
            "train gcn dim=4096 hidden=4096 layers=8 epochs=1",
            "train mf epochs=1 negatives=1000 batch=10000000 dim=4096",
            "train ncf factors=1024 mlp=4096,4096,4096 negatives=1000",
            "set memory-limit=50m",
            "train lightgcn epochs=1 dim=4096 layers=8",
            "lsh bench items=10000000 runs=1",
            "set memory-limit=off",
        ]
        let cases = commands.map { FaultCase(label: $0, command: $0, followUps: []) }
        let tally = try FaultRunner.run(cases, setup: ["load ml-100k path=\(FaultFixtures.realData)", "split warm",
                                                       "train pop", "train mf epochs=1 dim=8"],
                                        label: "costly option combinations")
        #expect(tally.crashes == 0 && tally.unclean == 0)
        // Each is refused before anything large is allocated (the two `set`s succeed).
        #expect(tally.cleanErrors == commands.count - 2, "\(tally)")
    }
}

/// One fault: a command run on the session the cases before it left, then
/// follow-ups that use what it built (they too must end cleanly).
struct FaultCase {
    var label: String
    var command: String
    var followUps: [String]
}

/// Counts of outcomes: cases / clean errors / successes / crashes (signals,
/// hangs, exit codes other than 0 and 1) / unclean (an error without a
/// message, a failed command that changed the session, a missing result).
struct FaultTally: CustomStringConvertible {
    var cases = 0, cleanErrors = 0, successes = 0, crashes = 0, unclean = 0
    var problems: [String] = []

    var description: String {
        "\(cases) cases: \(cleanErrors) clean errors, \(successes) successes, \(crashes) crashes, \(unclean) unclean"
            + (problems.isEmpty ? "" : "\n  " + problems.prefix(20).joined(separator: "\n  "))
    }
}

enum FaultRunner {
    /// What a case is compared on before and after: the session summary and its models.
    static let probe = ["info", "models"]

    /// Runs every case in one `recsh --format json` script after `setup`; if
    /// the process dies, runs each case alone (after `setup`) to find which.
    static func run(_ cases: [FaultCase], setup: [String], sessions: String? = nil, label: String) throws -> FaultTally {
        var tally = FaultTally()
        let batch = try script(setup: setup, cases: cases, sessions: sessions)
        if batch.crashed == nil {
            tally = try judge(batch.objects, setup: setup.count, cases: cases)
        } else {
            for c in cases {
                let alone = try script(setup: setup, cases: [c], sessions: sessions)
                if let crash = alone.crashed {
                    tally.cases += 1
                    tally.crashes += 1
                    tally.problems.append("\(c.label): \(crash)")
                } else {
                    let one = try judge(alone.objects, setup: setup.count, cases: [c])
                    tally.cases += one.cases
                    tally.cleanErrors += one.cleanErrors
                    tally.successes += one.successes
                    tally.unclean += one.unclean
                    tally.problems += one.problems
                }
            }
        }
        print("fault injection (\(label)): \(tally)")
        return tally
    }

    /// The JSON objects of a script run, or why the process did not end normally.
    static func script(setup: [String], cases: [FaultCase], sessions: String?) throws
        -> (objects: [[String: Any]], crashed: String?) {
        var lines = setup
        for c in cases { lines += probe + [c.command] + probe + c.followUps }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-faults-\(UUID().uuidString).recsh")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let arguments = (sessions.map { ["--sessions", $0] } ?? []) + ["--format", "json", "--no-rc", file.path]
        let r = try Recsh.run(arguments, environment: ["SWIFT_BACKTRACE": "enable=no"], deadline: 600)
        let objects = r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        if r.signal != nil || r.timedOut || !(r.status == 0 || r.status == 1) {
            let how = r.timedOut ? "hung" : r.signal.map { "signal \($0)" } ?? "exit \(r.status)"
            return (objects, "\(how); stderr: \(r.stderr.suffix(300))")
        }
        return (objects, nil)
    }

    /// Classifies each case from its objects: probe, command, probe, follow-ups.
    static func judge(_ objects: [[String: Any]], setup: Int, cases: [FaultCase]) throws -> FaultTally {
        var tally = FaultTally()
        var i = setup
        for c in cases {
            tally.cases += 1
            let width = 2 * probe.count + 1 + c.followUps.count
            guard i + width <= objects.count else {
                tally.unclean += 1
                tally.problems.append("\(c.label): missing results (\(objects.count - i) of \(width))")
                i = objects.count
                continue
            }
            let before = Array(objects[i..<(i + probe.count)])
            let result = objects[i + probe.count]
            let after = Array(objects[(i + probe.count + 1)..<(i + 2 * probe.count + 1)])
            let rest = objects[(i + 2 * probe.count + 1)..<(i + width)]
            i += width
            var problems: [String] = []
            if result["ok"] as? Bool == true {
                tally.successes += 1
            } else {
                if (result["error"] as? String ?? "").isEmpty { problems.append("an error without a message") }
                if !same(before, after) { problems.append("the session changed: \(after) was \(before)") }
                if problems.isEmpty { tally.cleanErrors += 1 }
            }
            for o in rest where o["ok"] as? Bool != true && (o["error"] as? String ?? "").isEmpty {
                problems.append("follow-up \(o["command"] ?? "?") failed without a message")
            }
            if !problems.isEmpty {
                tally.unclean += 1
                tally.problems.append("\(c.label): " + problems.joined(separator: "; "))
            }
        }
        return tally
    }

    /// Two probes describe the same session (the timer's wall time aside).
    static func same(_ a: [[String: Any]], _ b: [[String: Any]]) -> Bool {
        func canonical(_ objects: [[String: Any]]) -> Data? {
            let cleaned = objects.map { $0.filter { $0.key != "wall_seconds" } }
            return try? JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys])
        }
        return canonical(a) != nil && canonical(a) == canonical(b)
    }
}

/// The inputs the fault suite damages: small data sets in every layout, a
/// saved session, and boundary values per option type.
enum FaultFixtures {
    static var realData: String { TestData.ml100k }
    static var realDataAvailable: Bool { TestData.ml100kAvailable }

    static func write(_ files: [String: String]) throws -> String {
        try TestFiles.directory(text: files, tag: "recsh-faults")
    }

    /// 16 users x 12 movies, each user rating 7: (user, movie, rating, time).
    static let ratings: [(Int, Int, Int, Int)] = (1...16).flatMap { u in
        (0..<7).map { k in (u, (u + k * 5) % 12 + 1, 1 + (u * 3 + k) % 5, 881_250_000 + u * 100 + k) }
    }

    static let genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                         "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
                         "Thriller", "War", "Western"]
    static let occupations = ["artist", "doctor", "engineer", "student", "writer"]

    static func ml100k() throws -> String {
        try write([
            "u.data": ratings.map { "\($0.0)\t\($0.1)\t\($0.2)\t\($0.3)" }.joined(separator: "\n") + "\n",
            "u.item": (1...12).map { m in
                "\(m)|Movie number \(m), The (19\(80 + m))|01-Jan-19\(80 + m)||http://example.org/\(m)|"
                    + (0..<19).map { $0 == m % 19 || $0 == (m * 7) % 19 ? "1" : "0" }.joined(separator: "|")
            }.joined(separator: "\n") + "\n",
            "u.user": (1...16).map { "\($0)|\(18 + $0 * 3)|\($0 % 2 == 0 ? "F" : "M")|\(occupations[$0 % 5])|\(10000 + $0)" }
                .joined(separator: "\n") + "\n",
            "u.genre": genres.enumerated().map { "\($1)|\($0)" }.joined(separator: "\n") + "\n\n",
            "u.occupation": occupations.joined(separator: "\n") + "\n",
        ])
    }

    static func ml1m() throws -> String {
        try write([
            "ratings.dat": ratings.map { "\($0.0)::\($0.1)::\($0.2)::\($0.3)" }.joined(separator: "\n") + "\n",
            "movies.dat": (1...12).map { "\($0)::Movie \($0) (19\(80 + $0))::\($0 % 2 == 0 ? "Drama" : "Comedy|Romance")" }
                .joined(separator: "\n") + "\n",
            "users.dat": (1...16).map { "\($0)::\($0 % 2 == 0 ? "F" : "M")::25::\($0 % 21)::12345" }.joined(separator: "\n") + "\n",
        ])
    }

    static func mlLatest() throws -> String {
        try write([
            "ratings.csv": "userId,movieId,rating,timestamp\n"
                + ratings.map { "\($0.0),\($0.1),\(Double($0.2) - 0.5),\($0.3)" }.joined(separator: "\n") + "\n",
            "movies.csv": "movieId,title,genres\n"
                + (1...12).map { "\($0),\"Movie \($0), The (19\(80 + $0))\",Drama|Comedy" }.joined(separator: "\n") + "\n",
        ])
    }

    /// `count` copies of the data set in `directory`, each with `file`
    /// damaged by one to four seeded edits, and a case loading each.
    static func mutations(of directory: String, file: String, count: Int, seed: UInt64,
                          load: (String) -> String) throws -> [FaultCase] {
        let original = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
        var driver = MutationDriver(seed: seed, corpus: [original])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try (0..<count).map { n in
            let copy = try write([:])
            for name in names where name != file {
                try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: copy + "/" + name)
            }
            try driver.next().write(to: URL(fileURLWithPath: copy + "/" + file))
            return FaultCase(label: "\(file) mutation \(n) (seed \(seed))", command: load(copy),
                             followUps: ["split warm", "train pop", "train mf epochs=1 dim=4", "eval", "recommend 1"])
        }
    }

    /// A sessions directory holding `good`: GCN, GAT (two layers, two heads,
    /// ID embeddings), EASE and MF trained on the small ml-100k.
    static func savedSessions() throws -> String {
        let data = try ml100k()
        let sessions = try write([:])
        let r = try Recsh.run(["--sessions", sessions, "--format", "json", "-c",
                               "load ml-100k path=\(data); split warm; train gcn epochs=1 hidden=8 dim=4; "
                               + "train gat epochs=1 hidden=8 dim=4 heads=2 ids=on; train ease; train mf epochs=1 dim=4; save good"])
        try #require(r.status == 0, "\(r.stdout) \(r.stderr)")
        return sessions
    }

    /// A copy of `bundle` named `name` in `sessions` with `file` changed by `damage`.
    static func damagedCopy(of bundle: String, in sessions: String, file: String, name: String,
                            damage: (Data) -> Data) throws -> FaultCase {
        let copy = sessions + "/" + name
        try FileManager.default.copyItem(atPath: bundle, toPath: copy)
        let path = copy + "/" + file
        try damage(try Data(contentsOf: URL(fileURLWithPath: path))).write(to: URL(fileURLWithPath: path))
        return FaultCase(label: "\(name) (\(file))", command: "restore \(name)", followUps: ["eval", "recommend 1 why"])
    }

    /// Values at both ends of an option's range (the maximum only when
    /// `includeMaximum`), just past them, and words that are not values.
    static func boundaryValues(_ type: OptionType, includeMaximum: Bool) -> [String] {
        func ints(_ r: ClosedRange<Int>) -> [String] {
            ["\(r.lowerBound)", r.lowerBound == Int.min ? "-9223372036854775809" : "\(r.lowerBound - 1)",
             r.upperBound == Int.max ? "9223372036854775808" : "\(r.upperBound + 1)", "1.5", "many"]
                + (includeMaximum ? ["\(r.upperBound)"] : [])
        }
        switch type {
        case .int(let r): return ints(r)
        case .intOrOff(let r): return ints(r) + ["off"]
        case .number(let r):
            let below = r.lowerBound == 0 ? "-1e-9" : "\(r.lowerBound / 2)"
            return ["\(r.lowerBound)", below, "\(r.upperBound * 2)", "nan", "inf", "1e309", "-0"]
                + (includeMaximum ? ["\(r.upperBound)"] : [])
        case .flag: return ["on", "off", "maybe"]
        case .choice(let words): return words + ["nosuch"]
        case .widths(let r):
            return ["\(r.lowerBound),\(r.lowerBound)", "\(r.upperBound + 1),8", "8", "8,,4", "0,8"]
                + (includeMaximum ? ["\(r.upperBound),\(r.upperBound)"] : [])
        case .counts(let r):
            return ["\(r.lowerBound)", "\(r.lowerBound - 1)", "\(r.upperBound + 1),10", "15,,10", "ten"]
                + (includeMaximum ? ["\(r.upperBound)"] : [])
        }
    }
}
