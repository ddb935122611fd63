/// Norm ranging (Yan et al. 2018): items split into equal-count bands of
/// their norms, each band with its own largest norm as the simple-LSH M.
///
/// One global M squeezes every item but the longest towards the appended
/// axis, so their codes pile into a few huge buckets; within a band the norms
/// are alike and the transform keeps the directions apart. Band 0 holds the
/// largest norms: a query probes bands in that order, since a band's M bounds
/// every inner product in it (times |q|).
struct NormBands: Sendable, Equatable {
    /// Band of each item (0 = largest norms).
    let band: [Int32]
    /// Each band's largest norm, non-increasing in the band index.
    let maxNorm: [Float]

    var count: Int { maxNorm.count }

    /// Items ranked by (norm, index) ascending; the top n/B ranks form band 0,
    /// and so on (band sizes differ by at most one). `count` is clamped to 1...n.
    init(norms: [Float], count requested: Int) {
        let n = norms.count
        let bands = max(1, min(requested, n))
        guard n > 0 else { band = []; maxNorm = [max(.leastNormalMagnitude, 0)]; return }
        let order = (0..<n).sorted { norms[$0] != norms[$1] ? norms[$0] < norms[$1] : $0 < $1 }
        var band = [Int32](repeating: 0, count: n)
        var maxNorm = [Float](repeating: 0, count: bands)
        for b in 0..<bands {
            // Ascending rank range of band b counted from the top: the highest ranks are band 0.
            let lo = n * (bands - 1 - b) / bands, hi = n * (bands - b) / bands
            maxNorm[b] = max(norms[order[hi - 1]], .leastNormalMagnitude)
            for r in lo..<hi { band[order[r]] = Int32(b) }
        }
        self.band = band
        self.maxNorm = maxNorm
    }

    /// Per item, the M of its band.
    var itemScale: [Float] { band.map { maxNorm[Int($0)] } }
}
