import CBLAS

/// Row-major single-precision matrix products and the small helpers around them
/// (bias broadcast, column sums), each with a plain-loop reference beside it.
///
/// Every matrix is row-major: element (i, j) of an r×c matrix with leading dimension `ld`
/// is at `i * ld + j`. `op(A)` is A or Aᵀ as `transA` says; the product is m×n with inner
/// size k.
public enum Gemm {
    /// C = alpha · op(A) · op(B) + beta · C through OpenBLAS's `cblas_sgemm`.
    ///
    /// Leading dimensions default to the packed ones: op(A) is m×k, so A is m×k (lda = k)
    /// or k×m when transposed (lda = m); likewise B is k×n (ldb = n) or n×k (ldb = k).
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        if k == 0 {
            // BLAS with k = 0 leaves beta·C; do the same without calling it.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// The reference for `sgemm`: the textbook triple loop, accumulated in Double.
    public static func naive(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                // beta = 0 must ignore C entirely (it may hold NaN), as BLAS does.
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * s + old)
            }
        }
    }

    /// Adds `bias[j]` to every row of the rows×cols matrix `c` (a layer's bias broadcast).
    @inline(__always)
    public static func addBias(rows: Int, cols: Int, _ c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>) {
        for i in 0..<rows {
            let row = c + i * cols
            for j in 0..<cols { row[j] += bias[j] }
        }
    }

    /// Adds the column sums of the rows×cols matrix `x` into `sums` (a bias gradient:
    /// dBias[j] += Σᵢ dZ[i, j]).
    @inline(__always)
    public static func addColumnSums(rows: Int, cols: Int, of x: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            let row = x + i * cols
            for j in 0..<cols { sums[j] += row[j] }
        }
    }

    /// y[i] += x[i] for i in 0..<count.
    @inline(__always)
    public static func add(count: Int, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] += x[i] }
    }
}
