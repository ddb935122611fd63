import Tensors

/// Exact top-K through any model's `Scorer` (dot product or not).
extension ExactRetriever {
    /// Top K movies for one user, never listing `excluding`.
    public static func recommend(user u: Int, scorer: any Scorer, k: Int, excluding: [Int] = []) -> [ScoredItem] {
        precondition(u >= 0 && u < scorer.userCount, "user index \(u) out of range")
        return TopK.select(scorer.scores(user: u), k: k, excluding: excluding).map { ScoredItem(item: $0.index, score: $0.score) }
    }

    /// Top K movies for every user of the scorer, in blocks of `userBlock`
    /// spread over the workers. `exclusions`, when given, is a users x items
    /// CSR whose row u lists the movies to skip for user u.
    public static func topK(scorer: any Scorer, k: Int, exclusions: CSRMatrix? = nil, userBlock: Int = 256,
                            workers: Int = Parallel.defaultWorkers) -> TopKLists {
        let nu = scorer.userCount, n = scorer.itemCount
        precondition(exclusions == nil || exclusions!.rows == nu, "one exclusion row per user")
        var out = TopKLists(queries: nu, k: k)
        guard nu > 0, n > 0, k > 0 else { return out }
        let blocks = (nu + userBlock - 1) / userBlock
        let workerCount = max(1, min(workers, blocks))
        let xStart = exclusions?.rowStart ?? [Int](repeating: 0, count: nu + 1)
        let xItems = exclusions?.colIndex ?? []
        let all = Array(0..<nu)
        out.counts.withUnsafeMutableBufferPointer { cp in
        out.indices.withUnsafeMutableBufferPointer { ip in
        out.scores.withUnsafeMutableBufferPointer { sp in
            let counts = SharedBuffer(cp), indices = SharedBuffer(ip), scores = SharedBuffer(sp)
            Parallel.run(workers: workerCount) { w in
                var sc = Matrix(rows: 0, cols: 0)
                var b = w
                while b < blocks {
                    let lo = b * userBlock, hi = min(nu, lo + userBlock)
                    scorer.scores(users: all[lo..<hi], into: &sc)
                    sc.storage.withUnsafeBufferPointer { rows in
                        xItems.withUnsafeBufferPointer { xAll in
                            for q in lo..<hi {
                                var c = 0
                                scanTile(rows.baseAddress! + (q - lo) * n, 0, n, xAll, xStart[q], xStart[q + 1], k,
                                         scores.base + q * k, indices.base + q * k, &c)
                                counts[q] = c
                            }
                        }
                    }
                    b += workerCount
                }
            }
        }}}
        return out
    }
}
