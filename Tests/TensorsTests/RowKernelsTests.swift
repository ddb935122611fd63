import Testing
@testable import Tensors

/// The SIMD row kernels against plain scalar loops, at widths that exercise
/// every path: the 32-wide register block, the 8-wide step and the scalar tail.
@Suite struct RowKernelsTests {
    static let widths = [0, 1, 5, 8, 13, 32, 37, 45, 64, 70]

    func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed, stream: "rowkernels")
        return (0..<n).map { _ in rng.nextFloat() * 2 - 1 }
    }

    @Test(arguments: widths)
    func dotAndAxpyMatchScalarLoops(width n: Int) {
        let x = random(n, seed: 1), y = random(n, seed: 2)
        let expected = zip(x, y).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let got = x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in n == 0 ? 0 : RowKernels.dot(px.baseAddress!, py.baseAddress!, n) }
        }
        #expect(abs(got - expected) <= 1e-5 * Float(max(n, 1)))
        var z = y
        if n > 0 {
            x.withUnsafeBufferPointer { px in
                z.withUnsafeMutableBufferPointer { pz in RowKernels.axpy(0.5, px.baseAddress!, pz.baseAddress!, n) }
            }
        }
        for j in 0..<n { #expect(abs(z[j] - (y[j] + 0.5 * x[j])) <= 1e-6) }
    }

    @Test(arguments: widths)
    func reluMaskZeroesExactlyTheNonPositiveEntries(width n: Int) {
        var y = random(n, seed: 3)
        if n > 2 { y[2] = 0 }   // a zero output passes no gradient
        var g = random(n, seed: 4)
        let before = g
        var copy = [Float](repeating: 9, count: n)
        if n > 0 {
            y.withUnsafeBufferPointer { py in
                g.withUnsafeMutableBufferPointer { pg in
                    copy.withUnsafeMutableBufferPointer { pc in
                        RowKernels.maskNonPositive(pg.baseAddress!, by: py.baseAddress!, into: pc.baseAddress!, n)
                    }
                    RowKernels.maskNonPositive(pg.baseAddress!, by: py.baseAddress!, into: pg.baseAddress!, n)   // in place
                }
            }
        }
        for j in 0..<n { #expect(g[j] == (y[j] > 0 ? before[j] : 0)) }
        #expect(copy == g)
    }

    @Test(arguments: widths)
    func weightedRowsAccumulateIntoStridedBlocks(width n: Int) {
        // Three source rows of stride n + 3; rows 2, 0, 2 with weights 0.5, -1, 2 into a
        // destination row that starts at 1 (accumulated, not overwritten).
        let stride = n + 3
        let source = random(3 * stride, seed: 5)
        let index: [Int32] = [2, 0, 2], weights: [Float] = [0.5, 9, -1, 9, 2, 9]  // stride 2: 9s are skipped
        var dst = [Float](repeating: 1, count: max(n, 1))
        source.withUnsafeBufferPointer { s in
            index.withUnsafeBufferPointer { ix in
                weights.withUnsafeBufferPointer { w in
                    dst.withUnsafeMutableBufferPointer { d in
                        RowKernels.accumulateWeightedRows(0, 3, index: ix.baseAddress!, weights: w.baseAddress!,
                                                          weightStride: 2, source: s.baseAddress!, sourceStride: stride,
                                                          into: d.baseAddress!, width: n)
                    }
                }
            }
        }
        for j in 0..<n {
            let expected = 1 + 0.5 * source[2 * stride + j] - source[j] + 2 * source[2 * stride + j]
            #expect(abs(dst[j] - expected) <= 1e-5)
        }
    }

    @Test func openBLASKernelChoiceFollowsTheCPUFlags() {
        let avx512: Set<Substring> = ["sse2", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        #if canImport(Accelerate)
        #expect(BLAS.preferredCoreType(environment: [:], cpuFlags: avx512) == nil)
        #else
        #expect(BLAS.preferredCoreType(environment: [:], cpuFlags: avx512) == "SkylakeX")
        #expect(BLAS.preferredCoreType(environment: [:], cpuFlags: ["avx2", "fma", "avx512f"]) == "Haswell")
        #expect(BLAS.preferredCoreType(environment: [:], cpuFlags: ["sse2", "avx"]) == nil)
        // A user's choice is never overridden.
        #expect(BLAS.preferredCoreType(environment: ["OPENBLAS_CORETYPE": "Zen"], cpuFlags: avx512) == nil)
        #endif
    }
}
