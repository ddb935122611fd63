import Foundation
import GraphRec
import Tensors

/// Timing on this machine: medians of repeated runs.
public enum BenchCommands {
    public static let specs = CommandSpec.group("Bench", [
        CommandSpec(name: "bench",
            summary: "Time training, evaluation and kernels on this machine; medians of repeated runs.",
            details: """
                kernels: sgemm GFLOP/s on the shapes a GCN step multiplies (one BLAS thread, recsh's default).
                train: GCN+BPR seconds per epoch at the seed hyperparameters on 'split warm seed=0', with 1 and
                2 threads (median of max(3, runs) epochs each). eval: users/second of exact evaluation of all
                test users at K = 10 (median of max(5, runs) passes). Uses the session's data, else loads
                ml-100k the way 'load ml-100k' does; the session is not changed.
                train (and all) also times GAT+BPR with 1 head on 1 thread; 'bench gat' times GAT with 1 and
                4 heads (1 thread), apart because 4 heads take several seconds per epoch.
                scale: on the synthetic data set of that shape (seed 0, split warm 80/10/10): generate seconds,
                GCN seconds per epoch on the full graph and neighbour-sampled, GAT and LightGCN as sampler=auto
                trains them, EASE and ItemKNN fit seconds, exact eval users/s, saved bundle bytes, peak RSS.
                An epoch's time is the median batch time (after a warm-up batch, batches= of them) times the
                batches in an epoch, or with batches=all the median of epochs= whole epochs. Not in 'all'.
                """,
            subcommands: [Subcommand("train", "GCN (1 and 2 threads) and GAT seconds per epoch"),
                          Subcommand("gat", "GAT seconds per epoch with 1 and 4 heads"),
                          Subcommand("eval", "exact evaluation users/second"),
                          Subcommand("kernels", "sgemm GFLOP/s"),
                          Subcommand("lsh", "points to 'lsh bench'"),
                          Subcommand("scale", "a synthetic data set of shape="),
                          Subcommand("all", "kernels, train, gat and eval")],
            defaultSubcommand: "all",
            options: [OptionSpec("runs", "N", default: "5", "repetitions per measurement"),
                      OptionSpec("heads", "1|4|1,4", default: "1,4", "GAT head counts 'bench gat' times"),
                      OptionSpec("shape", "1m|10m|25m", default: "1m", "scale: the synthetic data set"),
                      OptionSpec("batches", "N|all", default: scaleDefaults.batches.map(String.init) ?? "all",
                                 "scale: batches timed per model (all: whole epochs)"),
                      OptionSpec("epochs", "N", default: "\(scaleDefaults.epochs)", "scale: whole epochs timed per model with batches=all"),
                      OptionSpec("items", "on|off", default: scaleDefaults.itemModels ? "on" : "off", "scale: also fit EASE and ItemKNN"),
                      OptionSpec("batch", "N", default: "\(scaleDefaults.batchSize)", "scale: positives per batch of the graph models")],
            example: "bench kernels", handler: bench),
    ])

    /// What `bench scale` runs with unless told otherwise, as the library declares it.
    static let scaleDefaults = ScaleBenchmark.Settings(shape: "synthetic-1m")

    /// One measured thing.
    struct Measurement {
        var name: String
        var medianSeconds: Double
        var runs: Int
        /// The figure it exists for: ("gflops", 120.3) etc.
        var figure: (key: String, value: Double)
        var extra: [(String, Value)] = []
    }

    static func bench(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let what = command.subcommand ?? "all"
        if what == "scale" { return try scale(session, command, context) }
        if what == "lsh" { throw ShellError.message("bench lsh: LSH is timed by 'lsh bench items=1000000' (a synthetic catalogue, recall and speedup against exact) and 'lsh sweep' (this data set)") }
        let runs = try command.options.int("runs", default: 5, range: 1...100)
        var results: [Measurement] = []
        if what == "kernels" || what == "all" { results += kernels(runs: max(5, runs)) }
        if what == "train" || what == "gat" || what == "eval" || what == "all" {
            let dataset = try session.dataset ?? loadData(session, context)
            let split = try Split.warm(positives: dataset.positives, ratios: [80, 10, 10], seed: 0)
            let graph = dataset.graph(for: split)
            if what == "train" || what == "all" {
                for threads in [1, 2] {
                    if context.run.shouldStop() { throw ShellError.message("bench: interrupted") }
                    context.run.report(ProgressUpdate(label: "bench train", done: threads - 1, total: 2,
                                                      detail: "\(threads) thread(s)"))
                    results.append(try train(graph, epochs: max(3, runs), threads: threads))
                }
            }
            if what != "eval" {
                let gatHeads = what == "gat" ? try command.options.choice("heads", default: "1,4", from: ["1", "4", "1,4"])
                    .split(separator: ",").map { Int($0)! } : [1]
                for heads in gatHeads {
                    if context.run.shouldStop() { throw ShellError.message("bench: interrupted") }
                    context.run.report(ProgressUpdate(label: "bench gat", done: gatHeads.firstIndex(of: heads)!, total: gatHeads.count,
                                                      detail: "\(heads) head(s)"))
                    results.append(try trainGAT(graph, heads: heads, epochs: max(3, runs)))
                }
            }
            if what == "eval" || what == "all" { results.append(try evaluation(split, graph, runs: max(5, runs))) }
        }
        return render(results)
    }

    static func loadData(_ session: Session, _ context: Context) throws -> Dataset {
        let locator = DatasetLocator(dataDirectory: session.settings.dataDirectory,
                                     cacheRoot: context.environment.cacheDirectory)
        do {
            return try locator.load(minRating: session.settings.minRating, control: context.run).0
        } catch {
            throw ShellError.message("bench: needs ml-100k and none is loaded or found (\(error)); try 'load ml-100k path=DIR'")
        }
    }

    /// sgemm on the products of one GCN training step and of evaluation.
    static func kernels(runs: Int) -> [Measurement] {
        BLAS.useDefaultThreads()
        let shapes = [(2625, 42, 128), (2625, 128, 64), (128, 2625, 64), (2625, 64, 128), (943, 64, 1682)]
        return shapes.map { shape in
            let (m, k, n) = shape
            let gflops = BLAS.gemmGFLOPS(m: m, k: k, n: n, repeats: runs)
            return Measurement(name: "sgemm \(m)x\(k)x\(n)", medianSeconds: 2 * Double(m * k * n) / (gflops * 1e9),
                               runs: runs, figure: ("gflops", gflops),
                               extra: [("blas_core", .string(BLAS.coreName)), ("threads", .int(BLAS.threads))])
        }
    }

    /// GCN + BPR at the seed hyperparameters: median seconds per epoch (wall),
    /// with the CPU seconds beside it (the fairer figure on a shared machine).
    static func train(_ graph: InteractionGraph, epochs: Int, threads: Int) throws -> Measurement {
        let t = try EngineBenchmarks.secondsPerEpoch(model: "gcn", graph: graph, options: TrainOptions(),
                                                     epochs: epochs, threads: threads)
        return Measurement(name: "train gcn bpr \(threads) thread\(threads == 1 ? "" : "s")", medianSeconds: t.medianSeconds,
                           runs: t.epochSeconds.count, figure: ("seconds_per_epoch", t.medianSeconds),
                           extra: [("threads", .int(threads)), ("cpu_seconds_per_epoch", .double(t.medianCPUSeconds)),
                                   ("blas_core", .string(t.blasCore)), ("batches_per_epoch", .int(t.batchesPerEpoch)),
                                   ("epoch_seconds", .array(t.epochSeconds.map(Value.double)))])
    }

    /// GAT + BPR at the seed hyperparameters with `heads` heads on one thread:
    /// median seconds per epoch (wall), with the CPU seconds beside it.
    static func trainGAT(_ graph: InteractionGraph, heads: Int, epochs: Int) throws -> Measurement {
        var options = TrainOptions()
        options.heads = heads
        let t = try GATBenchmarks.secondsPerEpoch(graph: graph, options: options, epochs: epochs, threads: 1)
        return Measurement(name: "train gat bpr \(heads) head\(heads == 1 ? "" : "s") 1 thread", medianSeconds: t.medianSeconds,
                           runs: t.epochSeconds.count, figure: ("seconds_per_epoch", t.medianSeconds),
                           extra: [("threads", .int(1)), ("heads", .int(heads)),
                                   ("cpu_seconds_per_epoch", .double(t.medianCPUSeconds)),
                                   ("blas_core", .string(t.blasCore)), ("batches_per_epoch", .int(t.batchesPerEpoch)),
                                   ("epoch_seconds", .array(t.epochSeconds.map(Value.double)))])
    }

    /// Exact evaluation of every test user (K = 10) of a GCN's embeddings.
    static func evaluation(_ split: Split, _ graph: InteractionGraph, runs: Int) throws -> Measurement {
        BLAS.useDefaultThreads()
        let embeddings = GCN(graph: graph, options: TrainOptions()).embed(graph)
        let evaluator = try Evaluator(split: split, graph: graph, on: .test, k: 10)
        _ = evaluator.evaluate(embeddings)  // warm-up
        let samples = (0..<runs).map { _ in evaluator.evaluate(embeddings).seconds }.sorted()
        let median = samples[samples.count / 2]
        let users = evaluator.set.users.count
        return Measurement(name: "eval all test users k=10", medianSeconds: median, runs: runs,
                           figure: ("users_per_second", Double(users) / median),
                           extra: [("users", .int(users)), ("workers", .int(evaluator.workers))])
    }


    static func render(_ results: [Measurement]) -> CommandResult {
        let rows: [[Value]] = results.map { r in
            let figure = r.figure.key == "users_per_second" ? Value.fixed(r.figure.value, decimals: 0)
                : Value.fixed(r.figure.value, decimals: r.figure.key == "gflops" ? 1 : 4)
            let detail = r.extra.filter { $0.0 != "epoch_seconds" }.map { "\($0.0)=\($0.1.text())" }.joined(separator: " ")
            return [.string(r.name), .double(r.medianSeconds), .int(r.runs), .string("\(figure) \(r.figure.key)"),
                    .string(detail)]
        }
        let table = Table(name: "results", title: "bench: medians on this machine",
                          columns: [.init("name"), .init("median s", .number(decimals: 6)), .init("runs", .integer),
                                    .init("figure"), .init("detail", wraps: true)],
                          rows: rows)
        let objects: [Value] = results.map { r in
            .object([("name", .string(r.name)), ("median_seconds", .double(r.medianSeconds)), ("runs", .int(r.runs)),
                     (r.figure.key, .double(r.figure.value))] + r.extra)
        }
        // The machine may be shared: say how busy it was, so the medians can be read fairly.
        let load = loadAverage()
        let note = load.map { "load average \($0.map { Value.fixed($0, decimals: 2) }.joined(separator: " ")) (1/5/15 min)" }
        return CommandResult(command: "bench", blocks: [.table(table)],
                             payload: [("results", .array(objects)),
                                       ("load_average", load.map { .array($0.map(Value.double)) } ?? .null)],
                             notes: note.map { [$0] } ?? [])
    }

    /// The 1, 5 and 15 minute load averages (Linux /proc/loadavg), nil elsewhere.
    static func loadAverage() -> [Double]? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ").prefix(3).compactMap { Double($0) }
        return parts.count == 3 ? parts : nil
    }
}
