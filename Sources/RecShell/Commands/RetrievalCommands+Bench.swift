import Foundation
import GraphRec

/// `lsh bench`: LSH settings against exact search on a synthetic catalogue
/// of any size, where the speed-up LSH cannot show on 1,682 movies appears.
extension RetrievalCommands {
    // MARK: lsh bench

    static let benchKeys = ["items", "dim", "planes", "probe", "tables", "candidates", "mips", "bands", "k", "seed", "runs",
                            "queries", "clusters", "target"]

    static func bench(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let o = command.options
        var s = LSHBenchmark.Settings()
        s.items = try o.int("items", default: 100_000, range: 100...10_000_000)
        s.dimension = try o.int("dim", default: 64, range: 2...1024)
        s.queries = try o.int("queries", default: 1000, range: 1...100_000)
        s.clusters = try o.int("clusters", default: min(1000, max(1, s.items / 10)), range: 1...s.items)
        s.k = try o.int("k", default: 10, range: 1...1000)
        s.runs = try o.int("runs", default: 3, range: 1...100)
        s.seed = UInt64(try o.int("seed", default: Int(session.settings.seed), range: 0...Int.max))
        let target = Double(try o.float("target", default: 0.9, range: 0...1))
        let grid = try benchGrid(o, items: s.items)
        let sizes = ["items": s.items, "dim": s.dimension, "queries": s.queries, "runs": s.runs]
        try context.run.budget.check("lsh bench", options: sizes,
                                     shrinkable: ["items": 100, "dim": 2, "queries": 1, "runs": 1]) { v in
            var t = s
            t.items = v["items"] ?? s.items
            t.dimension = v["dim"] ?? s.dimension
            t.queries = v["queries"] ?? s.queries
            t.runs = v["runs"] ?? s.runs
            return LSHBenchmark.estimate(t, grid: (try? benchGrid(o, items: t.items)) ?? grid)
        }
        let result = LSHBenchmark.run(s, grid: grid, control: context.run)
        guard !result.points.isEmpty else { throw ShellError.message("lsh bench: interrupted before the first setting") }
        let points = result.points
        let reached = points.filter { $0.recallVsExact >= target }
        let best = reached.max { $0.speedup < $1.speedup }
        let closest = points.max { ($0.recallVsExact, $0.speedup) < ($1.recallVsExact, $1.speedup) }!
        let title = "LSH on a synthetic catalogue: \(grouped(Double(s.items))) items x \(s.dimension), "
            + "\(s.queries) queries, \(s.clusters) clusters, top-\(s.k), seed \(s.seed)"
        let table = Table(name: "points", title: title, columns: [
            .init("planes", .integer), .init("tables", .integer), .init("probe"), .init("budget", .integer),
            .init("mips"), .init("bands", .integer), .init("buckets", .integer), .init("mean size", .number(decimals: 1)), .init("max size", .integer),
            .init("cand/query", .number(decimals: 0)), .init("recall", .number(decimals: 4)),
            .init("queries/s", .integer), .init("speedup", .number(decimals: 2)), .init("build s", .number(decimals: 2)),
        ], rows: points.map { p in
            let c = p.configuration
            return [.int(c.planes), .int(c.tables), .string(c.probe.rawValue),
                    c.probe != .bucket ? .int(c.candidates ?? s.k) : .null, .string(c.mips ? "on" : "off"),
                    .int(c.mips ? c.normBands : 1), .int(p.bucketsUsed), .double(p.meanBucketSize), .int(p.maxBucketSize),
                    .double(p.candidatesPerQuery),
                    .double(p.recallVsExact), .int(Int(p.queriesPerSecond.rounded())), .double(p.speedup),
                    .double(p.buildSeconds)]
        })
        var text = ["Exact: \(grouped(result.exactQueriesPerSecond)) queries/s (\(fixed(result.exactGFLOPS, 1)) GFLOP/s of GEMM)."]
        if let best {
            text.append("Best with recall >= \(fixed(target, 2)): \(best.configuration.summary): recall \(fixed(best.recallVsExact, 4)), "
                        + "\(fixed(best.speedup, 2))x exact (\(fixed(best.candidatesPerQuery, 0)) candidates per query).")
        } else {
            text.append("No setting reached recall \(fixed(target, 2)). Closest: \(closest.configuration.summary): recall "
                        + "\(fixed(closest.recallVsExact, 4)) at \(fixed(closest.speedup, 2))x exact. Higher recall needs more "
                        + "candidates (more tables, or probe=hamming with a larger candidates=), which costs the speed.")
        }
        if points.count < grid.count { text.append("Interrupted: \(points.count) of \(grid.count) settings measured.") }
        if let loads = loadAverage() { text.append("Load average while measuring: \(loads) (the machine has \(ProcessInfo.processInfo.activeProcessorCount) cores).") }
        func pointObject(_ p: LSHBenchmark.Point) -> Value {
            let c = p.configuration
            return .object([
                ("planes", .int(c.planes)), ("tables", .int(c.tables)), ("probe", .string(c.probe.rawValue)),
                ("candidates", c.candidates.map { .int($0) } ?? .null), ("mips", .bool(c.mips)),
                ("bands", .int(c.normBands)), ("buckets_used", .int(p.bucketsUsed)), ("mean_bucket_size", .double(p.meanBucketSize)),
                ("max_bucket_size", .int(p.maxBucketSize)), ("candidates_per_user", .double(p.candidatesPerQuery)),
                ("recall_vs_exact", .double(p.recallVsExact)), ("precision", .null), ("ndcg", .null),
                ("users_per_second", .double(p.queriesPerSecond)), ("exact_users_per_second", .double(p.exactQueriesPerSecond)),
                ("speedup", .double(p.speedup)), ("build_seconds", .double(p.buildSeconds)),
            ])
        }
        let payload: [(String, Value)] = [
            ("items", .int(s.items)), ("dim", .int(s.dimension)), ("queries", .int(s.queries)), ("clusters", .int(s.clusters)),
            ("k", .int(s.k)), ("seed", .int(Int(s.seed))), ("runs", .int(s.runs)),
            ("exact_users_per_second", .double(result.exactQueriesPerSecond)), ("exact_gflops", .double(result.exactGFLOPS)),
            ("target_recall", .double(target)), ("points", .array(points.map(pointObject))),
            ("best", best.map(pointObject) ?? .null), ("closest", pointObject(closest)),
            ("complete", .bool(points.count == grid.count)),
            ("load_average", loadAverage().map { .string($0) } ?? .null),
        ]
        return CommandResult(command: "lsh", blocks: [.table(table), .text(text)], payload: payload)
    }

    /// The settings to measure: `LSHBenchmark.defaultGrid` unless planes=,
    /// tables=, probe=, mips=, bands= or candidates= narrow it (each a value or
    /// a list; probe takes `both` = bucket,hamming and mips takes `both`).
    /// Without candidates=, hamming collects 0.5% of the catalogue over all
    /// tables and multi 0.5% in all.
    static func benchGrid(_ o: OptionValues, items: Int) throws -> [LSHConfiguration] {
        let narrowed = ["planes", "tables", "probe", "mips", "bands", "candidates"].contains(where: o.has)
        guard narrowed else { return LSHBenchmark.defaultGrid(items: items) }
        let planes = try o["planes"].map { try planeCounts($0) }
        let tables = try o["tables"].map { try integers($0, option: "tables") }
        for t in tables ?? [] where !(1...256).contains(t) { throw RecError("tables: \(t) is out of range 1...256") }
        var probes: [LSHConfiguration.Probe]?
        for word in o["probe"].map({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) ?? [] {
            if word == "both" { probes = (probes ?? []) + [.bucket, .hamming]; continue }
            guard let p = LSHConfiguration.Probe(rawValue: word) else {
                throw RecError("probe: expected bucket, hamming, multi, both or a comma list, got '\(word)'")
            }
            probes = (probes ?? []) + [p]
        }
        let mips: [Bool]?
        switch o["mips"]?.lowercased() {
        case nil, "both": mips = nil
        case "on", "true", "yes", "1": mips = [true]
        case "off", "false", "no", "0": mips = [false]
        case let m?: throw RecError("mips: expected on, off or both, got '\(m)'")
        }
        let bands = try o["bands"].map { try integers($0, option: "bands") }
        for b in bands ?? [] where !(1...4096).contains(b) { throw RecError("bands: \(b) is out of range 1...4096") }
        let candidates = try o["candidates"].map { try integers($0, option: "candidates") }
        for c in candidates ?? [] where !(1...items).contains(c) {
            throw RecError("candidates: \(c) is out of range 1...\(items) (the catalogue's items)")
        }
        return LSHBenchmark.grid(items: items, planes: planes, tables: tables, probes: probes, mips: mips, bands: bands,
                                 candidates: candidates)
    }
}
