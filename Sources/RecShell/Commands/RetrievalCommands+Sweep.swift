import Foundation
import GraphRec

/// `lsh sweep`: LSH against exact search over a range of plane counts.
extension RetrievalCommands {
    // MARK: lsh sweep

    static func sweep(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        if command.options["seed"] != nil && command.options["seeds"] != nil {
            throw ShellError.message("lsh sweep: give seed= or seeds=, not both")
        }
        let planeList = try planeCounts(command.options["planes"] ?? "1..16")
        var base = try LSHSupport.configuration(planes: planeList[0], options: command.options,
                                                defaultSeed: session.settings.seed)
        let (model, set, k, runs) = try inputs(session, command, name: "lsh sweep")
        let seeds = try command.options["seeds"].map(EvaluationCommands.parseSeeds) ?? [base.seed]
        let e = try model.requireEmbeddings("lsh sweep")
        try base.check(items: e.items.rows)
        for p in planeList {
            base.planes = p
            try context.run.budget.check("lsh sweep", base.estimate(items: e.items.rows,
                                                                    dimension: e.dimension,
                                                                    queries: set.users.count, runs: runs))
        }
        var reports: [LSHReport] = []
        for (i, p) in planeList.enumerated() {
            if context.run.shouldStop() { break }
            base.planes = p
            context.run.report(ProgressUpdate(label: "lsh sweep", done: i, total: planeList.count, detail: "planes=\(p)"))
            let perSeed = seeds.map { seed in
                var c = base
                c.seed = seed
                return LSHEvaluation.report(embeddings: e, set: set, configuration: c, k: k, runs: runs)
            }
            if let mean = LSHReport.mean(perSeed) { reports.append(mean) }
        }
        context.run.report(ProgressUpdate(label: "lsh sweep", done: planeList.count, total: planeList.count))
        guard !reports.isEmpty else { throw ShellError.message("lsh sweep: interrupted before the first setting") }
        let sweep = LSHSweep(model: model.name, reports: reports)
        session.lastLSHSweep = sweep
        var svgPath: String?
        if let path = command.options["svg"] {
            try write(sweep.svg, to: path, command: "lsh sweep")
            svgPath = path
        }
        var c = base
        c.planes = planeList[0]
        let seedText = seeds.count == 1 ? "seed=\(seeds[0])" : "mean over seeds \(seeds.map(String.init).joined(separator: ","))"
        let title = "LSH sweep on \(model.name): tables=\(c.tables) probe=\(c.probe.rawValue) mips=\(c.mips ? "on" : "off") \(seedText), test split, K=\(k)"
        let table = Table(name: "points", title: title, columns: [
            .init("planes", .integer), .init("buckets", .integer), .init("mean size", .number(decimals: 1)),
            .init("max size", .integer), .init("cand/user", .number(decimals: 1)), .init("recall", .number(decimals: 4)),
            .init("P@\(k)", .number(decimals: 4)), .init("NDCG@\(k)", .number(decimals: 4)),
            .init("users/s", .integer), .init("exact users/s", .integer), .init("speedup", .number(decimals: 2)),
        ], rows: reports.map { r in
            [.int(r.planes), .int(r.bucketsUsed), .double(r.meanBucketSize), .int(r.maxBucketSize),
             .double(r.candidatesPerUser), .double(r.recallVsExact), .double(r.precision), .double(r.ndcg),
             .int(Int(r.usersPerSecond.rounded())), .int(Int(r.exactUsersPerSecond.rounded())), .double(r.speedup)]
        })
        var text: [String] = []
        if let first = reports.first {
            text.append("Exact search: P@\(k) \(fixed(first.exactPrecision, 4)), NDCG@\(k) \(fixed(first.exactNDCG, 4)).")
        }
        if reports.count < planeList.count { text.append("Interrupted: \(reports.count) of \(planeList.count) plane counts measured.") }
        let medianExact = reports.map(\.exactUsersPerSecond).sorted()[reports.count / 2]
        if let note = smallCatalogueNote(items: e.items.rows, users: set.users.count,
                                         dim: e.dimension, exactUsersPerSecond: medianExact) { text.append(note) }
        if let svgPath { text.append("Wrote \(svgPath).") }
        let blocks: [CommandResult.Block] = [.table(table), .chart(sweep.qualityChart), .chart(sweep.speedChart), .text(text)]
        var payload: [(String, Value)] = [
            ("model", .string(model.name)), ("k", .int(k)), ("users", .int(set.users.count)),
            ("seeds", .array(seeds.map(DataCommands.seedValue))),
            ("points", .array(reports.map { .object(reportObject($0)) })),
            ("complete", .bool(reports.count == planeList.count)),
        ]
        if let svgPath { payload.append(("svg", .string(svgPath))) }
        return CommandResult(command: "lsh", blocks: blocks, payload: payload)
    }

    /// "1..16", "3", "2,4,8" -> plane counts, each in 1...64.
    static func planeCounts(_ text: String, option: String = "planes") throws -> [Int] {
        let list: [Int]
        if let dots = text.range(of: "..") {
            guard let a = Int(text[..<dots.lowerBound]), let b = Int(text[dots.upperBound...]), a <= b else {
                throw RecError("\(option): expected A..B with A <= B, got '\(text)'")
            }
            guard a >= 1 && b <= 64 else { throw RecError("\(option): \(text) is out of range 1...64") }
            list = Array(a...b)
        } else {
            list = try integers(text, option: option)
        }
        for p in list where !(1...64).contains(p) { throw RecError("\(option): \(p) is out of range 1...64") }
        return list
    }

    static func integers(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw RecError("\(option): expected a whole number or a comma list, got '\(text)'")
            }
            return v
        }
    }
}
