import Foundation
import GraphRec
import Tensors

/// LSH for the commands that offer it as an option (`recommend USER lsh=N`,
/// `eval lsh=N`) and the last `lsh sweep` kept for `plot lsh`.
///
/// Everything works on a session model's stored embeddings (the training
/// graph's), so it does not matter how the model was trained.
public enum LSHSupport {
    /// The option keys every LSH setting understands (besides planes).
    static let configurationKeys = ["planes", "tables", "probe", "candidates", "mips", "bands", "seed"]

    /// An LSH setting from `planes` and the optional `tables=`, `probe=`
    /// (default hamming, so a list always has K movies), `candidates=`,
    /// `mips=`, `bands=` (norm ranging, with mips) and `seed=` in `options`. Planes outside 1...64 are an error naming `option`.
    public static func configuration(planes: Int, options: OptionValues = OptionValues(),
                                     defaultSeed: UInt64 = 0, option: String = "planes") throws -> LSHConfiguration {
        guard (1...64).contains(planes) else {
            throw RecError("\(option): \(planes) is out of range 1...64 (one code bit per plane, packed in 64 bits)")
        }
        let probe = try options.choice("probe", default: "hamming", from: LSHConfiguration.Probe.allCases.map(\.rawValue))
        return LSHConfiguration(
            planes: planes,
            tables: try options.int("tables", default: 1, range: 1...256),
            probe: LSHConfiguration.Probe(rawValue: probe)!,
            candidates: options.has("candidates") ? try options.int("candidates", default: 10, range: 1...100_000_000) : nil,
            mips: try options.bool("mips", default: false),
            normBands: try options.int("bands", default: 1, range: 1...4096),
            seed: UInt64(try options.int("seed", default: Int(defaultSeed), range: 0...Int.max)))
    }

    /// Parses an `lsh=PLANES` option value (for `recommend` and `eval`).
    public static func planes(fromOption text: String, option: String = "lsh") throws -> Int {
        guard let p = Int(text) else { throw RecError("\(option): expected a number of planes (1...64), got '\(text)'") }
        guard (1...64).contains(p) else { throw RecError("\(option): \(p) is out of range 1...64") }
        return p
    }

    /// LSH top `k` for user index `user` of `model`: candidates from the index
    /// over the model's movie embeddings, ranked exactly, never listing
    /// `excluding` (normally the user's train movies, `graph.movies(ofUser:)`).
    /// Returns the list and how many distinct candidates were ranked.
    public static func recommend(model: TrainedModel, user: Int, k: Int, excluding: [Int],
                                 configuration: LSHConfiguration) throws -> (items: [ScoredItem], candidates: Int) {
        let e = try model.requireEmbeddings("lsh")
        precondition(user >= 0 && user < e.users.rows, "user index \(user) out of range")
        let index = LSHIndex(items: e.items, configuration: configuration)
        let query = Matrix(rows: 1, cols: e.dimension, storage: e.users.row(user))
        let ex = CSRMatrix(rows: 1, cols: e.items.rows, triplets: excluding.map { (0, $0, Float(1)) })
        let found = index.search(queries: query, items: e.items, k: k, exclusions: ex, workers: 1)
        return (found.lists.items(of: 0), found.candidates[0])
    }
}

/// The last `lsh sweep` of a session, for `plot lsh`.
public struct LSHSweep: Sendable {
    public var model: String
    public var reports: [LSHReport]

    public init(model: String, reports: [LSHReport]) {
        self.model = model
        self.reports = reports
    }

    /// Recall of the exact top K, P@K and NDCG@K against planes.
    public var qualityChart: Chart {
        let k = reports.first?.k ?? 10
        return Chart(title: "LSH quality vs planes (\(model))", xLabel: "planes", yLabel: "value",
                     series: [series("recall vs exact") { $0.recallVsExact },
                              series("P@\(k)") { $0.precision }, series("NDCG@\(k)") { $0.ndcg }])
    }

    /// LSH users/second over exact users/second against planes.
    public var speedChart: Chart {
        Chart(title: "LSH speedup over exact vs planes (\(model))", xLabel: "planes", yLabel: "speedup (x)",
              series: [series("speedup") { $0.speedup }, series("1x (exact)") { _ in 1 }])
    }

    func series(_ name: String, _ y: (LSHReport) -> Double) -> Chart.Series {
        Chart.Series(name, reports.map { (Double($0.planes), y($0)) })
    }

    /// Both charts in one SVG document, quality above speed.
    public var svg: String { SVGWriter.render(panels: [qualityChart, speedChart]) }
}

extension LSHSupport {
    /// `plot lsh [svg=FILE]`: the session's last `lsh sweep` as two charts.
    static func plotLastSweep(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        guard let sweep = session.lastLSHSweep else {
            throw ShellError.message("plot lsh: no LSH sweep yet; try 'lsh sweep planes=1..16'")
        }
        var blocks: [CommandResult.Block] = [.chart(sweep.qualityChart), .chart(sweep.speedChart)]
        var payload: [(String, Value)] = [
            ("what", .string("lsh")), ("model", .string(sweep.model)),
            ("planes", .array(sweep.reports.map { .int($0.planes) })),
            ("recall_vs_exact", .array(sweep.reports.map { .double($0.recallVsExact) })),
            ("speedup", .array(sweep.reports.map { .double($0.speedup) })),
        ]
        if let path = command.options["svg"] {
            try RetrievalCommands.write(sweep.svg, to: path, command: "plot lsh")
            blocks.append(.text(["Wrote \(path)."]))
            payload.append(("svg", .string(path)))
        }
        return CommandResult(command: "plot", blocks: blocks, payload: payload)
    }
}
