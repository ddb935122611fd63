import Tensors

/// Memory and work of LSH indexes and of `lsh bench`, estimated before
/// anything is built (`ResourceBudget` checks them).
extension LSHConfiguration {
    /// Throws when `candidates=` asks for more items than the catalogue has:
    /// such a search is an exact scan in disguise.
    public func check(items: Int) throws {
        if let c = candidates, c > items {
            throw RecError("candidates: \(c) is more than the \(items) items in the catalogue (at most \(items))")
        }
    }

    /// Building the index over `items` x `dimension` and searching it for
    /// `queries` queries `runs` times (one uninterruptible step).
    public func estimate(items: Int, dimension: Int, queries: Int, runs: Int = 1) -> ResourceEstimate {
        let n = Double(items), d = Double(dimension), t = Double(tables), bits = Double(planes * tables)
        // Per table: the codes (8 bytes), members and bucket tables (about 20 bytes per item).
        var bytes = t * n * 28 + (d + 1) * bits * 4 + n * 8
        if probe == .multi { bytes += n * d * 4 + t * n * 12 }
        let perQuery = probe == .bucket ? n / max(1, pow2(planes)) * t : Double(candidates ?? 10) * (probe == .multi ? 1 : t)
        let ranked = min(n, max(perQuery, 1))
        // Each search worker marks items and keeps its candidate list.
        bytes += Double(Parallel.defaultWorkers) * (n * 4 + ranked * 4) + Double(queries) * bits * 4
        return ResourceEstimate(bytes: bytes, denseFLOPs: 2 * n * d * bits,
                                streamFLOPs: n * bits + Double(runs) * Double(queries) * ranked * d * 2)
    }

    private func pow2(_ p: Int) -> Double { p >= 63 ? 9.2e18 : Double(1 << p) }
}

extension LSHBenchmark {
    /// The synthetic catalogue and queries, the exact top-K baseline (`runs`
    /// times, uninterruptible) and the largest grid point. Generating the
    /// catalogue polls Ctrl-C, so it is not a step.
    public static func estimate(_ s: Settings, grid: [LSHConfiguration]) -> ResourceEstimate {
        let n = Double(s.items), d = Double(s.dimension), q = Double(s.queries)
        let data = (n + q) * d * 4 + q * Double(s.k) * 8 * 2
        let exact = 2 * q * n * d * Double(s.runs)
        let points = grid.map { $0.estimate(items: s.items, dimension: s.dimension, queries: s.queries, runs: s.runs) }
        let largest = points.max { $0.bytes < $1.bytes }?.bytes ?? 0
        let longest = points.max { $0.stepSeconds < $1.stepSeconds }
        var e = ResourceEstimate(bytes: data + largest, denseFLOPs: exact)
        // The longer of the two uninterruptible steps decides.
        if let longest, longest.stepSeconds > e.stepSeconds {
            e.denseFLOPs = longest.denseFLOPs
            e.streamFLOPs = longest.streamFLOPs
        }
        return e
    }
}
