import Testing
@testable import Tensors

@Suite struct BLASTests {
    @Test func gemmMatchesHandComputedProduct() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        let b = Matrix([[7, 8], [9, 10], [11, 12]])
        #expect(BLAS.matmul(a, b) == Matrix([[58, 64], [139, 154]]))
    }

    @Test func gemmTransposesBothOperands() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(BLAS.matmul(a, transposeA: true, a) == BLAS.matmul(a.transposed(), a))
        #expect(BLAS.matmul(a, a, transposeB: true) == Matrix([[14, 32], [32, 77]]))
    }

    /// Column blocks of wider matrices multiply in place through leading dimensions.
    @Test func stridedGemmMultipliesColumnBlocks() {
        let a = Matrix([[1, 2, 9], [3, 4, 9]])          // left 2x2 block, lda 3
        let b = Matrix([[9, 1, 0], [9, 0, 1]])          // right 2x2 block (identity), ldb 3
        var c = Matrix([[5, 1, 1, 5], [5, 1, 1, 5]])    // middle 2x2 block, ldc 4, beta 1
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(m: 2, n: 2, k: 2, pa.baseAddress!, lda: 3, pb.baseAddress! + 1, ldb: 3,
                              beta: 1, into: pc.baseAddress! + 1, ldc: 4)
                    // k = 0: C = beta * C, here beta = 0 clears the block.
                    BLAS.gemm(m: 1, n: 1, k: 0, pa.baseAddress!, lda: 3, pb.baseAddress!, ldb: 3,
                              beta: 0, into: pc.baseAddress!, ldc: 4)
                }
            }
        }
        #expect(c == Matrix([[0, 2, 3, 5], [5, 4, 5, 5]]))
    }

    @Test func columnBlocksAndHorizontalStacking() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(a.columns(1..<3) == Matrix([[2, 3], [5, 6]]))
        #expect(a.columns(0..<0) == Matrix(rows: 2, cols: 0))
        #expect(a.columns(0..<1).hstack(a.columns(1..<3)) == a)
        #expect(a.hstack(Matrix(rows: 2, cols: 0)) == a)
    }
}
