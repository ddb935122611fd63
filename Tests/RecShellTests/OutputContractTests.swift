import Foundation
import GraphRec
import Testing
@testable import RecShell

/// The machine-output contract, checked on every command family in `help`:
/// in JSON each object matches its command's schema (`OutputSchema`), in CSV
/// stdout is tables whose headers are keys of that schema and whose rows all
/// have the header's width, and in both formats stdout holds results only.
@Suite(.serialized, .enabled(if: ShellTestData.available)) struct OutputContractTests {
    /// One line per command family (and the variants with their own keys), on real data, kept small.
    static func script(sessions: String, files: String) -> [String] {
        let data = ShellTestData.directory
        return [
            "help", "help train", ".help", "set k=10 timer=off", "show", "show k", "timer off", "sleep 0",
            "load ml-100k path=\"\(data)\"", "info", "find star", "user 1", "movie 50",
            "split warm seed=0", "split warm seed=0 force",
            "train pop", "tune ease trials=2", "train gcn epochs=1 hidden=16 dim=8 batch=4096",
            "train gat epochs=1 hidden=8 dim=8 batch=4096", "models",
            "eval", "eval pop on=val k=5", "eval gcn lsh=8", "compare pop seeds=0,1",
            "recommend 1", "recommend 1 why", "recommend 1 model=gat why", "similar 50",
            "attention user 1 model=gat", "attention movie 50 model=gat", "attention summary model=gat",
            "lsh planes=8 model=gcn", "lsh sweep planes=4..6 model=gcn", "plot lsh", "lsh bench items=2000 queries=50 runs=1",
            "whatif user 1 likes 1000", "newuser age=30 likes=50,172",
            "save contract", "sessions", "restore contract",
            "export metrics \(files)/m.json", "export embeddings model=pop \(files)/e.csv",
            "export attention model=gat \(files)/a.csv",
            "plot loss model=gcn", "plot metrics",
            "bench kernels", "run \(files)/two.recsh", "output \(files)/out.txt", "output", "format json", "quit",
        ]
    }

    static func prepare() throws -> (sessions: String, files: String) {
        let sessions = try SessionFixture.temporaryDirectory("contract-sessions")
        let files = try SessionFixture.temporaryDirectory("contract-files")
        try "show seed\nshow k\n".write(toFile: files + "/two.recsh", atomically: true, encoding: .utf8)
        return (sessions, files)
    }

    /// Runs the script line by line in `format`; returns (line, the command names it ran, stdout of the line).
    static func run(format: OutputFormat) throws -> [(line: String, stdout: String, stderr: String)] {
        let (sessions, files) = try prepare()
        let h = Harness(format: format)
        h.shell.session.settings.sessionsDirectory = sessions
        var outputs: [(String, String, String)] = []
        for line in script(sessions: sessions, files: files) {
            let (out0, err0) = (h.out.count, h.err.count)
            // `format json` in the CSV pass would change the format for the rest: it runs last.
            let ok = h.shell.run(line: line)
            let out = String(h.out.dropFirst(out0)), err = String(h.err.dropFirst(err0))
            #expect(ok, "\(format) \(line): \(err)\(out)")
            outputs.append((line, out, err))
        }
        return outputs
    }

    @Test func everyCommandInHelpIsCoveredAndHasASchema() throws {
        let (sessions, files) = try Self.prepare()
        let heads = Set(Self.script(sessions: sessions, files: files).compactMap { $0.split(separator: " ").first.map(String.init) })
        for spec in CommandRegistry.standard.specs {
            #expect(heads.contains(spec.name), "the contract test does not run '\(spec.name)'")
            #expect(OutputSchema.payload(of: spec.name) != nil, "no schema for '\(spec.name)'")
        }
    }

    @Test func jsonObjectsMatchTheirSchemas() throws {
        for (line, out, _) in try Self.run(format: .json) where !line.hasPrefix("output ") {
            let objects = out.split(separator: "\n")
            #expect(!objects.isEmpty, "\(line): no JSON")
            for text in objects {
                let value = try JSONParser.parse(String(text))
                let problems = OutputSchema.violations(value)
                #expect(problems.isEmpty, "\(line): \(problems.joined(separator: "; "))\n\(text.prefix(400))")
            }
        }
    }

    @Test func csvHeadersAreSchemaKeysAndRowsHaveTheirWidth() throws {
        for (line, out, err) in try Self.run(format: .csv) {
            let name = CommandRegistry.standard.spec(named: String(line.split(separator: " ")[0]))?.name ?? ""
            let shape = try #require(OutputSchema.payload(of: name), "\(line)")
            #expect(!out.contains("next:"), "\(line): a hint on stdout")
            // `output FILE` writes its results elsewhere, `run` shows the script's own commands,
            // `format json` switches to JSON and `quit` writes nothing in CSV.
            if line.hasPrefix("output ") || line.hasPrefix("run ") || line == "format json" || line == "quit" { continue }
            let tables = try CSV.tables(out)
            #expect(!tables.isEmpty, "\(line): no CSV (stderr: \(err))")
            for table in tables {
                let header = try #require(table.first, "\(line): empty table")
                for column in header {
                    #expect(shape.allows(csvColumn: column), "\(line): CSV column '\(column)' is not a key of '\(name)'")
                }
                for (i, row) in table.enumerated() {
                    #expect(row.count == header.count, "\(line): row \(i) has \(row.count) fields, header \(header.count)")
                }
            }
        }
    }

    @Test func csvRecommendIsOneTidyTable() throws {
        let h = ShellTestData.splitHarness()
        h.shell.run(line: "train pop; set format=csv")
        let before = h.out.count
        #expect(h.shell.run(line: "recommend 1 k=3"))
        let tables = try CSV.tables(String(h.out.dropFirst(before)))
        #expect(tables.count == 1)
        #expect(tables.first?.first == ["user", "model", "k", "rank", "movie", "title", "score", "genres", "held_out"])
        #expect(tables.first?.count == 4)
        #expect(tables.first?[1].prefix(4) == ["1", "pop", "3", "1"])
    }

    @Test func schemaRejectsWhatTheContractForbids() throws {
        let stringK = try JSONParser.parse(#"{"command":"show","ok":true,"settings":{"k":"10"}}"#)
        #expect(OutputSchema.violations(stringK).contains { $0.contains("settings.k") })
        let renamed = try JSONParser.parse(#"{"command":"models","ok":true,"models":[{"name":"a","kind":"pop","options":{},"epochs":0,"best_epoch":0,"seconds":0.1,"metrics_on":null,"metrics":null}]}"#)
        #expect(OutputSchema.violations(renamed).contains { $0.contains("metrics_on") })
        let failure = try JSONParser.parse(#"{"command":"eval","ok":false,"error":"eval: no model"}"#)
        #expect(OutputSchema.violations(failure).isEmpty)
        #expect(!OutputSchema.violations(try JSONParser.parse(#"{"command":"nonesuch","ok":true}"#)).isEmpty)
        #expect(OutputSchema.payload(of: "eval")?.allows(csvColumn: "P@10") == false)
        #expect(OutputSchema.payload(of: "train")?.allows(csvColumn: "val.ndcg") == true)
    }
}

/// A small RFC 4180 reader: tables separated by one empty line.
enum CSV {
    struct Malformed: Error {}

    static func tables(_ text: String) throws -> [[[String]]] {
        var tables: [[[String]]] = []
        var table: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(text)[...]
        func endRow() {
            row.append(field)
            field = ""
            if row == [""] {
                if !table.isEmpty { tables.append(table) }
                table = []
            } else {
                table.append(row)
            }
            row = []
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty else { throw Malformed() }
                inQuotes = true
            case ",": row.append(field); field = ""
            case "\n": endRow()
            default: field.append(c)
            }
        }
        if inQuotes { throw Malformed() }
        if !field.isEmpty || !row.isEmpty { endRow() }
        if !table.isEmpty { tables.append(table) }
        return tables
    }
}
