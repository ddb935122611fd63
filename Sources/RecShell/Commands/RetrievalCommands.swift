import Foundation
import GraphRec

/// Random-hyperplane LSH against exact search: one setting on a
/// trained model, a sweep over plane counts, and a synthetic catalogue
/// large enough for LSH to pay off.
public enum RetrievalCommands {
    static let probeValues = ["hamming", "bucket", "multi"]

    public static let specs = CommandSpec.group("Retrieval", [
        CommandSpec(name: "lsh",
            summary: "Build LSH over movie embeddings; report candidates, recall of the exact top-K, metrics and speed.",
            details: """
                probe=bucket takes the nearest non-empty bucket (the seed's method); probe=hamming widens
                the Hamming radius until at least candidates= movies (default K). tables=T unions T independent
                hash tables; mips=on hashes with the simple-LSH transform so buckets follow the inner product.
                bands=B (with mips=on) is norm-ranging LSH: items split into B equal-count norm bands, each
                transformed with its own largest norm, so long vectors no longer crowd short ones into a few
                huge buckets. probe=multi ranks buckets of every band by estimated inner product (the band's
                largest norm times the cosine of a Hamming distance that weighs each differing bit by the
                query's margin on that plane: unsure bits flip first) and takes the best until candidates=
                movies over all tables; it is the setting that reaches recall 0.9 at scale, e.g.
                'lsh bench items=1000000 mips=on probe=multi planes=16 bands=256 tables=1 candidates=2000,4000,8000'.
                Quality is measured on the test split against exact search with the same exclusions.
                'lsh sweep' repeats for each plane count (planes=A..B or a list) with a chart; svg=FILE writes it;
                seeds=S,S,... averages every point over those seeds of the planes (one seed's curve is ragged).
                'lsh bench items=N dim=64' measures a synthetic clustered catalogue of N items against exact
                inner-product top-10; planes=, tables=, probe=, mips=, bands=, candidates= take lists (8,16 /
                hamming,multi / both) to choose the grid.
                """,
            subcommands: [Subcommand("", "one setting on a trained model", options: modelKeys,
                                     requires: [.dataset, .split, .model]),
                          Subcommand("sweep", "every plane count in a range, with a chart",
                                     options: ["planes", "seeds", "svg"] + modelKeys.filter { $0 != "planes" },
                                     requires: [.dataset, .split, .model]),
                          Subcommand("bench", "a synthetic catalogue of any size", options: benchKeys)],
            subcommandLabel: "MODE",
            options: [OptionSpec("planes", "N|A..B|A,B", "hyperplanes per table, 1...64 (a range or list for sweep and bench)"),
                      .model,
                      OptionSpec("probe", "hamming|bucket|multi", default: "hamming", "candidate search (bench: a list, or both = bucket,hamming)",
                                 values: probeValues + ["both"], closed: false),
                      OptionSpec("tables", "T", default: "1", "independent hash tables (bench: a list)"),
                      OptionSpec("candidates", "C", default: "K", "probe=hamming: candidates per table; probe=multi: over all tables (bench: a list)"),
                      OptionSpec("mips", "on|off", default: "off", "simple-LSH inner-product transform (bench: both by default)",
                                 values: ["on", "off", "both"], closed: false),
                      OptionSpec("bands", "B", default: "1", "mips=on: norm bands (norm-ranging LSH; bench: a list)"),
                      OptionSpec("k", "N", default: "10", "cut-off K"),
                      OptionSpec("seed", "N", default: "0", "seed of the random planes (and of bench's catalogue)"),
                      OptionSpec("seeds", "S,S,...", "sweep: average each point over these seeds of the planes"),
                      OptionSpec("runs", "N", default: "5 (sweep, bench: 3)", "timed repetitions; medians are reported"),
                      OptionSpec("svg", "FILE", "sweep: also write the charts as SVG", completion: .files),
                      OptionSpec("items", "N", default: "100000", "bench: catalogue size"),
                      OptionSpec("dim", "D", default: "64", "bench: embedding width"),
                      OptionSpec("queries", "Q", default: "1000", "bench: query vectors"),
                      OptionSpec("clusters", "C", default: "1000", "bench: Gaussian clusters in the catalogue"),
                      OptionSpec("target", "R", default: "0.9", "bench: recall the best setting must reach")],
            example: "lsh planes=8 probe=bucket", handler: lsh),
    ])

    static func lsh(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        switch command.subcommand {
        case "sweep": return try sweep(&session, command, context)
        case "bench": return try bench(&session, command, context)
        default: return try single(&session, command, context)
        }
    }

    // MARK: lsh planes=N

    static let modelKeys = ["planes", "model", "probe", "tables", "candidates", "mips", "bands", "k", "seed", "runs"]

    /// What `lsh` and `lsh sweep` need from the session.
    static func inputs(_ session: Session, _ command: ParsedCommand, name: String)
        throws -> (model: TrainedModel, set: EvaluationSet, k: Int, runs: Int) {
        let split = try session.requireSplit(name), graph = try session.requireGraph(name)
        let model = try session.model(command.options["model"], command: name)
        let set = try EvaluationSet(split: split, graph: graph, on: .test)
        guard !set.users.isEmpty else { throw ShellError.message("\(name): the test split has no users with targets") }
        let k = try command.options.int("k", default: session.settings.k, range: 1...1000)
        let runs = try command.options.int("runs", default: name == "lsh" ? 5 : 3, range: 1...100)
        return (model, set, k, runs)
    }

    static func single(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let planes = try command.options.int("planes", default: 8)
        let config = try LSHSupport.configuration(planes: planes, options: command.options,
                                                  defaultSeed: session.settings.seed)
        let (model, set, k, runs) = try inputs(session, command, name: "lsh")
        let e = try model.requireEmbeddings("lsh")
        try config.check(items: e.items.rows)
        try context.run.budget.check("lsh", config.estimate(items: e.items.rows, dimension: e.dimension,
                                                            queries: set.users.count, runs: runs))
        context.run.report(ProgressUpdate(label: "lsh", done: 0, total: 1, detail: config.summary))
        let r = LSHEvaluation.report(embeddings: e, set: set, configuration: config, k: k, runs: runs)
        let fields: [(String, Value)] = [
            ("model", .string(model.name)), ("setting", .string(config.summary + " seed=\(config.seed)")),
            ("users", .int(r.users)), ("buckets used", .int(r.bucketsUsed)),
            ("bucket size", .string("mean \(fixed(r.meanBucketSize, 1)), max \(r.maxBucketSize)")),
            ("candidates per user", .string(fixed(r.candidatesPerUser, 1) + " of \(e.items.rows) movies")),
            ("recall of exact top-\(k)", .string(fixed(r.recallVsExact, 4))),
            ("P@\(k)", .string("\(fixed(r.precision, 4))  (exact \(fixed(r.exactPrecision, 4)))")),
            ("NDCG@\(k)", .string("\(fixed(r.ndcg, 4))  (exact \(fixed(r.exactNDCG, 4)))")),
            ("users/second", .string("LSH \(grouped(r.usersPerSecond)), exact \(grouped(r.exactUsersPerSecond))")),
            ("speedup", .string(fixed(r.speedup, 2) + "x")),
        ]
        var payload: [(String, Value)] = [("model", .string(model.name))] + reportObject(r)
        var blocks: [CommandResult.Block] = [.fields(fields)]
        if let note = smallCatalogueNote(items: e.items.rows, users: r.users, dim: e.dimension,
                                         exactUsersPerSecond: r.exactUsersPerSecond) {
            blocks.append(.text([note]))
            payload.append(("note", .string(note)))
        }
        return CommandResult(command: "lsh", blocks: blocks, payload: payload)
    }

    /// The contract's keys for one LSH report, then the rest.
    static func reportObject(_ r: LSHReport) -> [(String, Value)] {
        [("planes", .int(r.planes)), ("tables", .int(r.tables)), ("probe", .string(r.probe.rawValue)),
         ("candidates", r.configuration.candidates.map { .int($0) } ?? .null), ("mips", .bool(r.mips)),
         ("bands", .int(r.configuration.normBands)),
         ("seed", .int(Int(r.configuration.seed))), ("k", .int(r.k)), ("users", .int(r.users)),
         ("buckets_used", .int(r.bucketsUsed)), ("mean_bucket_size", .double(r.meanBucketSize)),
         ("max_bucket_size", .int(r.maxBucketSize)), ("candidates_per_user", .double(r.candidatesPerUser)),
         ("recall_vs_exact", .double(r.recallVsExact)), ("precision", .double(r.precision)), ("ndcg", .double(r.ndcg)),
         ("exact_precision", .double(r.exactPrecision)), ("exact_ndcg", .double(r.exactNDCG)),
         ("users_per_second", .double(r.usersPerSecond)), ("exact_users_per_second", .double(r.exactUsersPerSecond)),
         ("speedup", .double(r.speedup)), ("build_seconds", .double(r.buildSeconds))]
    }

    /// On a small catalogue exact scoring is one small GEMM,
    /// so whatever LSH saves is milliseconds, and only where its recall collapses.
    static func smallCatalogueNote(items: Int, users: Int, dim: Int, exactUsersPerSecond: Double) -> String? {
        guard items < 100_000 else { return nil }
        let gflop = 2 * Double(users) * Double(items) * Double(dim) / 1e9
        let ms = exactUsersPerSecond > 0 ? Double(users) / exactUsersPerSecond * 1000 : 0
        return "Exact scoring of \(grouped(Double(items))) movies is already a tiny GEMM (\(users) x \(dim) x \(items), "
            + "\(fixed(gflop, 3)) GFLOP, \(fixed(ms, 1)) ms for all users here): LSH can save at most those milliseconds, "
            + "and only with so few candidates that recall collapses. It pays on large catalogues: see 'lsh bench items=1000000 dim=64'."
    }


    // MARK: helpers

    static func write(_ text: String, to path: String, command: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RecError("svg: cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func fixed(_ d: Double, _ decimals: Int) -> String { Value.fixed(d, decimals: decimals) }

    /// 1682 -> "1,682".
    static func grouped(_ d: Double) -> String {
        guard d.isFinite else { return "\(d)" }
        let digits = String(Int(d.rounded()).magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (d < 0 ? "-" : "") + out
    }

    /// "1.23 0.98 0.75" from /proc/loadavg, when there is one.
    static func loadAverage() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
