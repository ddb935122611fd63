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
}
