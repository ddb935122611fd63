import Tensors

/// `lsh bench items=N dim=64`: LSH against exact inner-product top-10 on a
/// synthetic catalogue large enough for LSH to matter.
///
/// The catalogue is clustered Gaussian: `clusters` centres drawn from
/// N(0, I), each item a centre plus N(0, spread^2 I), scaled by a log-normal
/// popularity factor exp(normSpread * N(0, 1)) so that item norms differ and
/// inner product and cosine disagree (as in trained recommenders). Queries
/// are centres plus N(0, spread^2 I) noise. Ground truth is exact top-10 by
/// inner product (blocked GEMM + top-K); LSH figures are medians of `runs`.
public enum LSHBenchmark {
    public struct Settings: Sendable {
        public var items: Int = 100_000
        public var dimension: Int = 64
        public var queries: Int = 1000
        public var clusters: Int = 1000
        public var spread: Float = 0.5
        public var normSpread: Float = 0.25
        public var k: Int = 10
        public var runs: Int = 3
        public var seed: UInt64 = 0
        public init() {}
    }

    public struct Point: Sendable {
        public var configuration: LSHConfiguration
        public var bucketsUsed: Int
        public var meanBucketSize: Double
        public var maxBucketSize: Int
        public var candidatesPerQuery: Double
        public var recallVsExact: Double
        public var queriesPerSecond: Double
        public var exactQueriesPerSecond: Double
        public var speedup: Double
        public var buildSeconds: Double
    }

    public struct Result: Sendable {
        public var settings: Settings
        public var exactQueriesPerSecond: Double
        /// GFLOP/s of the exact baseline's GEMM work (2 * queries * items * dim / time).
        public var exactGFLOPS: Double
        public var points: [Point]
    }

    /// The synthetic catalogue and queries (deterministic for the seed).
    /// `stop` is polled every 65,536 items; once it is true the rest stays zero.
    public static func catalogue(_ s: Settings, stop: () -> Bool = { false }) -> (items: Matrix, queries: Matrix) {
        var rng = SeededGenerator(seed: s.seed, stream: "lsh-bench")
        let d = s.dimension
        let centres = Matrix.normal(rows: s.clusters, cols: d, using: &rng)
        var items = Matrix(rows: s.items, cols: d)
        items.storage.withUnsafeMutableBufferPointer { p in
            centres.storage.withUnsafeBufferPointer { c in
                for i in 0..<s.items {
                    if i & 0xFFFF == 0 && stop() { break }
                    let centre = rng.nextInt(below: s.clusters)
                    let scale = Float(exp(Double(s.normSpread * rng.nextNormal())))
                    for j in 0..<d { p[i * d + j] = scale * (c[centre * d + j] + s.spread * rng.nextNormal()) }
                }
            }
        }
        var queries = Matrix(rows: s.queries, cols: d)
        for q in 0..<s.queries {
            let centre = rng.nextInt(below: s.clusters)
            for j in 0..<d { queries[q, j] = centres[centre, j] + s.spread * rng.nextNormal() }
        }
        return (items, queries)
    }

    /// A grid over planes, tables and probing, with mips off and on, then
    /// norm-ranged multi-probe (16 planes, 512 bands) at budgets of 0.1% to 0.8% of the catalogue.
    public static func defaultGrid(items: Int) -> [LSHConfiguration] {
        var grid: [LSHConfiguration] = []
        let budget = max(100, items / 200) // candidates per table: 0.5% of the catalogue
        for mips in [false, true] {
            for planes in [8, 12, 16, 20] {
                for tables in [1, 4, 16] {
                    grid.append(LSHConfiguration(planes: planes, tables: tables, probe: .bucket, mips: mips))
                    grid.append(LSHConfiguration(planes: planes, tables: tables, probe: .hamming,
                                                 candidates: budget / tables, mips: mips))
                }
            }
        }
        for permille in [1, 2, 4, 8] {
            grid.append(LSHConfiguration(planes: 16, tables: 1, probe: .multi, candidates: max(10, items * permille / 1000),
                                         mips: true, normBands: min(512, max(1, items / 100))))
        }
        return grid
    }

    /// The grid over the given values of each setting (nil: its default
    /// list); bucket probing takes no candidate budget, hamming collects
    /// `candidates` (default 0.5% of the catalogue over all tables) and multi
    /// 0.5% in all; norm bands apply only with mips.
    public static func grid(items: Int, planes: [Int]? = nil, tables: [Int]? = nil,
                            probes: [LSHConfiguration.Probe]? = nil, mips: [Bool]? = nil, bands: [Int]? = nil,
                            candidates: [Int]? = nil) -> [LSHConfiguration] {
        let budget = max(100, items / 200)
        var grid: [LSHConfiguration] = []
        for m in mips ?? [false, true] { for b in (m ? bands ?? [1] : [1]) {
            for p in planes ?? [8, 12, 16, 20] { for t in tables ?? [1, 4, 16] { for probe in probes ?? [.bucket, .hamming] {
                switch probe {
                case .bucket:
                    grid.append(LSHConfiguration(planes: p, tables: t, probe: probe, mips: m, normBands: b))
                case .hamming, .multi:
                    for c in candidates ?? [probe == .hamming ? max(1, budget / t) : budget] {
                        grid.append(LSHConfiguration(planes: p, tables: t, probe: probe, candidates: c, mips: m, normBands: b))
                    }
                }
            }}}
        }}
        return grid
    }

    /// One grid point: build the index with `s.seed`, time the search (median of `s.runs`), compare with `exact`.
    static func measure(_ c: LSHConfiguration, _ s: Settings, items: Matrix, queries: Matrix, exact: TopKLists,
                        exactQueriesPerSecond eqps: Double) -> Point {
        var config = c
        config.seed = s.seed
        let t0 = ContinuousClock.now
        let index = LSHIndex(items: items, configuration: config)
        let build = (ContinuousClock.now - t0).seconds
        var found = (lists: TopKLists(queries: 0, k: s.k), candidates: [Int]())
        let time = LSHEvaluation.median(s.runs) {
            found = index.search(queries: queries, items: items, k: s.k)
        }
        let qps = Double(s.queries) / time
        return Point(configuration: config, bucketsUsed: index.bucketsUsed, meanBucketSize: index.meanBucketSize,
                     maxBucketSize: index.maxBucketSize,
                     candidatesPerQuery: Double(found.candidates.reduce(0, +)) / Double(max(1, s.queries)),
                     recallVsExact: LSHEvaluation.recall(found.lists, against: exact),
                     queriesPerSecond: qps, exactQueriesPerSecond: eqps, speedup: qps / eqps, buildSeconds: build)
    }

    public static func run(_ s: Settings, grid: [LSHConfiguration]? = nil,
                           progress: (String) -> Void = { _ in }) -> Result {
        let (items, queries) = catalogue(s)
        var exact = TopKLists(queries: 0, k: s.k)
        let exactTime = LSHEvaluation.median(s.runs) {
            exact = ExactRetriever.topK(queries: queries, items: items, k: s.k)
        }
        let eqps = Double(s.queries) / exactTime
        progress("exact: \(Int(eqps)) queries/s")
        var points: [Point] = []
        for c in grid ?? defaultGrid(items: s.items) {
            let p = measure(c, s, items: items, queries: queries, exact: exact, exactQueriesPerSecond: eqps)
            points.append(p)
            progress("\(p.configuration.summary): recall \(p.recallVsExact) candidates \(Int(p.candidatesPerQuery)) speedup \(p.speedup)")
        }
        let flops = 2 * Double(s.queries) * Double(s.items) * Double(s.dimension)
        return Result(settings: s, exactQueriesPerSecond: eqps, exactGFLOPS: flops / exactTime / 1e9, points: points)
    }
}

import Foundation
