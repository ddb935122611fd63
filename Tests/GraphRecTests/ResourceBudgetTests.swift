import Testing
@testable import GraphRec

/// `ResourceBudget`, `TrainingCost` and the LSH estimates, with the system's
/// memory injected so the results do not depend on the machine.
struct ResourceBudgetTests {
    static func budget(gigabytes: Double, limit: Double? = nil) -> ResourceBudget {
        ResourceBudget(memoryLimit: limit, system: { SystemMemory(bytes: gigabytes * 1e9, source: "MemAvailable") })
    }

    /// ML-100K's counts after `split warm`: 943 users, 1682 movies, 66k train edges, 24 + 18 features.
    static let ml100k = TrainingCost.Counts(users: 943, movies: 1682, edges: 66_000, featureWidth: 42)

    @Test func parsesMemoryLimits() throws {
        #expect(try ResourceBudget.parseLimit("512m") == 512e6)
        #expect(try ResourceBudget.parseLimit("4g") == 4e9)
        #expect(try ResourceBudget.parseLimit("1.5 GB") == 1.5e9)
        #expect(try ResourceBudget.parseLimit("2000000") == 2e6)
        #expect(try ResourceBudget.parseLimit("auto") == nil)
        for bad in ["", "lots", "-1g", "0", "10k", "nan", "1e30"] {
            #expect(throws: RecError.self, "\(bad)") { try ResourceBudget.parseLimit(bad) }
        }
        // What `show` prints parses back to the same limit (a saved setting restores).
        #expect(try ResourceBudget.parseLimit(ResourceBudget.bytes(1.5e9)) == 1.5e9)
    }

    @Test func formatsSizes() {
        #expect(ResourceBudget.bytes(1.5e9) == "1.5 GB")
        #expect(ResourceBudget.bytes(102_400_000_032) == "102 GB")
        #expect(ResourceBudget.bytes(512) == "512 bytes")
        #expect(ResourceBudget.bytes(12e6) == "12 MB")
    }

    @Test func theLowerOfLimitAndAvailableApplies() throws {
        #expect(Self.budget(gigabytes: 8, limit: 1e9).memory == SystemMemory(bytes: 1e9, source: "memory-limit"))
        #expect(Self.budget(gigabytes: 8, limit: 100e9).memory?.source == "MemAvailable")
        #expect(Self.budget(gigabytes: 8).problem(ResourceEstimate(bytes: 7e9)) == nil)
        let reason = try #require(Self.budget(gigabytes: 8).problem(ResourceEstimate(bytes: 9e9)))
        #expect(reason.contains("9 GB") && reason.contains("8 GB") && reason.contains("MemAvailable"))
        let slow = try #require(Self.budget(gigabytes: 8).problem(ResourceEstimate(bytes: 1e6, denseFLOPs: 1e14)))
        #expect(slow.contains("100000 GFLOP") && slow.contains("Ctrl-C"))
    }

    @Test func refusalNamesTheTaskTheEstimateAndASettingThatFits() throws {
        let budget = Self.budget(gigabytes: 1)
        do {
            try budget.check("demo", options: ["n": 1000], shrinkable: ["n": 1]) { ResourceEstimate(bytes: Double($0["n"]!) * 2e6) }
            Issue.record("expected a refusal")
        } catch let error as RecError {
            let text = String(describing: error)
            #expect(text.hasPrefix("demo: needs about 2 GB"))
            #expect(text.contains("n=500 fits"))
        }
        // Nothing smaller fits: the message says so by offering nothing.
        #expect(throws: RecError.self) {
            try budget.check("demo", options: ["n": 1], shrinkable: ["n": 1]) { _ in ResourceEstimate(bytes: 5e9) }
        }
    }

    @Test func seedSettingsFitOnASmallMachine() {
        let budget = Self.budget(gigabytes: 1)
        for kind in ["gcn", "gat", "lightgcn", "mf"] {
            var o = TrainOptions()
            o.ids = true
            #expect(budget.problem(TrainingCost.neural(kind, o, Self.ml100k)) == nil, "\(kind)")
        }
        for kind in ["ease", "itemknn", "svd", "als", "pop"] {
            #expect(budget.problem(TrainingCost.baseline(kind, factors: 64, Self.ml100k)) == nil, "\(kind)")
        }
    }

    @Test func optionProductsAreRefused() {
        let budget = Self.budget(gigabytes: 24)
        func refused(_ kind: String, _ change: (inout TrainOptions) -> Void) -> Bool {
            var o = TrainOptions()
            change(&o)
            return budget.problem(TrainingCost.neural(kind, o, Self.ml100k)) != nil
        }
        #expect(refused("gat") { $0.hidden = 4096; $0.heads = 64 })
        #expect(refused("gat") { $0.heads = 64; $0.dim = 4096 })
        #expect(refused("gcn") { $0.hidden = 4096; $0.dim = 4096; $0.layers = 8 })
        #expect(refused("mf") { $0.negatives = 1000; $0.batchSize = 10_000_000; $0.dim = 4096 })
        // Each option alone at its largest is fine: it is the products that cost.
        #expect(!refused("gat") { $0.heads = 64 })
        #expect(!refused("gat") { $0.hidden = 4096 })
        #expect(!refused("mf") { $0.negatives = 1000 })
    }

    @Test func costGrowsWithEverySizeOption() {
        let base = TrainingCost.neural("gat", TrainOptions(), Self.ml100k)
        for change in [{ (o: inout TrainOptions) in o.hidden *= 2 }, { $0.dim *= 2 }, { $0.heads *= 2 },
                       { $0.layers += 1 }, { $0.negatives *= 2 }, { $0.batchSize *= 2 }] {
            var o = TrainOptions()
            change(&o)
            let e = TrainingCost.neural("gat", o, Self.ml100k)
            #expect(e.bytes > base.bytes)
            #expect(e.stepSeconds > base.stepSeconds)
        }
    }

    @Test func lshBenchEstimates() throws {
        var s = LSHBenchmark.Settings()
        s.items = 1_000_000; s.dimension = 1024; s.queries = 100_000; s.runs = 1
        let huge = LSHBenchmark.estimate(s, grid: LSHBenchmark.defaultGrid(items: s.items))
        #expect(huge.denseFLOPs >= 2e14)                     // the exact baseline: 2 q n d
        #expect(Self.budget(gigabytes: 24).problem(huge) != nil)
        var small = LSHBenchmark.Settings()
        small.items = 20_000; small.dimension = 16; small.queries = 200
        #expect(Self.budget(gigabytes: 1).problem(LSHBenchmark.estimate(small, grid: LSHBenchmark.defaultGrid(items: 20_000))) == nil)
        // 256 tables over ten million items: 70 GB of codes and buckets.
        let wide = LSHConfiguration(planes: 16, tables: 256).estimate(items: 10_000_000, dimension: 64, queries: 1000)
        #expect(wide.bytes > 50e9)
    }

    @Test func candidatesBeyondTheCatalogueAreRefused() throws {
        let c = LSHConfiguration(planes: 8, tables: 256, probe: .hamming, candidates: 100_000_000)
        #expect(throws: RecError.self) { try c.check(items: 1682) }
        try LSHConfiguration(planes: 8, probe: .hamming, candidates: 1682).check(items: 1682)
    }
}
