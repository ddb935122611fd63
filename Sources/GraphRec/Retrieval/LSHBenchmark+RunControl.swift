import Tensors

/// `LSHBenchmark.run` for the shell: progress per setting and Ctrl-C between
/// settings (a 1M-item grid takes minutes). Same catalogue, same ground
/// truth and same timing as `run(_:grid:progress:)`; it returns the points
/// measured so far when stopped.
extension LSHBenchmark {
    public static func run(_ s: Settings, grid: [LSHConfiguration], control: RunControl) -> Result {
        let label = "lsh bench"
        let total = grid.count + 2
        control.report(ProgressUpdate(label: label, done: 0, total: total, detail: "catalogue \(s.items) x \(s.dimension)"))
        let (items, queries) = catalogue(s, stop: control.shouldStop)
        guard !control.shouldStop() else {
            return Result(settings: s, exactQueriesPerSecond: 0, exactGFLOPS: 0, points: [])
        }
        control.report(ProgressUpdate(label: label, done: 1, total: total, detail: "exact top-\(s.k)"))
        var exact = TopKLists(queries: 0, k: s.k)
        let exactTime = LSHEvaluation.median(s.runs) {
            exact = ExactRetriever.topK(queries: queries, items: items, k: s.k)
        }
        let eqps = Double(s.queries) / exactTime
        let flops = 2 * Double(s.queries) * Double(s.items) * Double(s.dimension)
        var points: [Point] = []
        for (i, c) in grid.enumerated() {
            if control.shouldStop() { break }
            control.report(ProgressUpdate(label: label, done: 2 + i, total: total, detail: c.summary))
            points.append(measure(c, s, items: items, queries: queries, exact: exact, exactQueriesPerSecond: eqps))
        }
        control.report(ProgressUpdate(label: label, done: total, total: total))
        return Result(settings: s, exactQueriesPerSecond: eqps, exactGFLOPS: flops / exactTime / 1e9, points: points)
    }
}
