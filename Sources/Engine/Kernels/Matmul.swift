import CDNNL

/// A row-major single-precision matrix product of one fixed shape through oneDNN's matmul
/// primitive, created once and reused: C = op(A)·op(B), or C += op(A)·op(B) with `accumulate`.
///
/// Layouts follow `Gemm.sgemm`: every matrix is row-major with a leading dimension; op(A) is
/// m×k, op(B) is k×n, C is m×n. A transposed operand is described to oneDNN by its strides,
/// so nothing is copied. oneDNN's `brg` kernels beat OpenBLAS's single-threaded sgemm on the
/// small row counts of a chunk (bench/README.md). On AVX-512 (`brg`) each element of C is one
/// dot product summed in k order inside the kernel, whatever the row split; on AVX2 (`gemm:jit`,
/// the portable kernels) the row count picks the blocking and the last bits may move with it.
/// The engine's chunks are fixed by the batch size, so neither changes a bit across threads.
///
/// Like `ConvolutionPlan`, a plan owns its stream, memory objects and scratchpad and must not
/// be used by two threads at once; it runs single-threaded (the engine's chunks are the
/// parallelism).
public final class MatmulPlan {
    public struct Shape: Hashable, Sendable {
        public var transA = false, transB = false
        public var m: Int, n: Int, k: Int
        public var lda: Int, ldb: Int, ldc: Int
        public var accumulate = false
        /// C = op(A)·op(B) + bias (a row of n added to every row of C).
        public var bias = false
        /// C = max(·, 0), applied last (oneDNN's eltwise post-op).
        public var relu = false
        /// `batch` products in one call: the pth takes the pth of `batch` packed matrices of each
        /// operand, one after another (A's pth at p × its stored rows × lda, as B's and C's).
        public var batch = 1

        /// Packed leading dimensions unless given, as `Gemm.sgemm`.
        public init(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                    lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, accumulate: Bool = false,
                    bias: Bool = false, relu: Bool = false, batch: Int = 1) {
            self.transA = transA; self.transB = transB
            self.batch = batch
            self.m = m; self.n = n; self.k = k
            self.lda = lda ?? (transA ? m : k); self.ldb = ldb ?? (transB ? k : n); self.ldc = ldc ?? n
            self.accumulate = accumulate
            self.bias = bias
            self.relu = relu
        }
    }

    public let shape: Shape
    private var primitive: OpaquePointer?
    private var stream: OpaquePointer?
    private var a: OpaquePointer?, b: OpaquePointer?, c: OpaquePointer?, biasMemory: OpaquePointer?, scratch: OpaquePointer?
    private var scratchBuffer: UnsafeMutableRawPointer
    private var args: [dnnl_exec_arg_t] = []

    public init(_ s: Shape) {
        precondition(s.m > 0 && s.n > 0 && s.k > 0, "MatmulPlan: empty product \(s)")
        shape = s
        DNNLEngine.singleThreaded()
        let engine = DNNLEngine.shared.handle
        var aDesc = Self.desc(rows: s.m, cols: s.k, ld: s.lda, transposed: s.transA, batch: s.batch)
        var bDesc = Self.desc(rows: s.k, cols: s.n, ld: s.ldb, transposed: s.transB, batch: s.batch)
        var cDesc = Self.desc(rows: s.m, cols: s.n, ld: s.ldc, transposed: false, batch: s.batch)
        var attr: OpaquePointer?
        ConvolutionPlan.check(dnnl_primitive_attr_create(&attr), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        ConvolutionPlan.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode")
        if s.accumulate || s.relu {
            var ops: OpaquePointer?
            ConvolutionPlan.check(dnnl_post_ops_create(&ops), "post_ops_create")
            defer { dnnl_post_ops_destroy(ops) }
            // C ← C + A·B: oneDNN's sum post-op adds the product to what C holds.
            if s.accumulate { ConvolutionPlan.check(dnnl_post_ops_append_sum(ops, 1), "post_ops_append_sum") }
            if s.relu { ConvolutionPlan.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "post_ops_append_eltwise") }
            ConvolutionPlan.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set_post_ops")
        }
        precondition(s.batch == 1 || !s.bias, "MatmulPlan: a bias with a batch of products")
        var biasDesc = Self.desc(rows: 1, cols: s.n, ld: s.n, transposed: false, batch: 1)
        var md = dnnl_matmul_desc_t()
        ConvolutionPlan.check(withUnsafePointer(to: &biasDesc) { bd in
            dnnl_matmul_desc_init(&md, &aDesc, &bDesc, s.bias ? bd : nil, &cDesc)
        }, "matmul_desc_init")
        var pd: OpaquePointer?
        ConvolutionPlan.check(dnnl_primitive_desc_create(&pd, &md, attr, engine, nil), "matmul primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(pd) }
        ConvolutionPlan.check(dnnl_primitive_create(&primitive, pd), "primitive_create")
        ConvolutionPlan.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream_create")
        ConvolutionPlan.check(dnnl_memory_create(&a, &aDesc, engine, nil), "memory_create")
        ConvolutionPlan.check(dnnl_memory_create(&b, &bDesc, engine, nil), "memory_create")
        ConvolutionPlan.check(dnnl_memory_create(&c, &cDesc, engine, nil), "memory_create")
        ConvolutionPlan.check(dnnl_memory_create(&biasMemory, &biasDesc, engine, nil), "memory_create")
        let scratchMd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)!
        scratchBuffer = .allocate(byteCount: max(dnnl_memory_desc_get_size(scratchMd), 64), alignment: 64)
        ConvolutionPlan.check(dnnl_memory_create(&scratch, scratchMd, engine, scratchBuffer), "scratchpad memory_create")
        args = [dnnl_exec_arg_t(arg: ConvolutionPlan.argSrc, memory: a),
                dnnl_exec_arg_t(arg: ConvolutionPlan.argWeights, memory: b),
                dnnl_exec_arg_t(arg: ConvolutionPlan.argDst, memory: c),
                dnnl_exec_arg_t(arg: ConvolutionPlan.argScratchpad, memory: scratch)]
            + (s.bias ? [dnnl_exec_arg_t(arg: ConvolutionPlan.argBias, memory: biasMemory)] : [])
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        for m in [a, b, c, biasMemory, scratch] { dnnl_memory_destroy(m) }
        dnnl_stream_destroy(stream)
        scratchBuffer.deallocate()
    }

    /// C = op(A)·op(B), or C += op(A)·op(B) when planned with `accumulate`; plus `bias` and
    /// then max(·, 0) when planned with them.
    public func run(a pa: UnsafePointer<Float>, b pb: UnsafePointer<Float>, c pc: UnsafeMutablePointer<Float>,
                    bias: UnsafePointer<Float>? = nil) {
        precondition(shape.bias == (bias != nil), "MatmulPlan: bias given \(bias != nil), planned \(shape.bias)")
        for (m, p) in [(a, UnsafeMutableRawPointer(mutating: pa)), (b, UnsafeMutableRawPointer(mutating: pb)),
                       (c, UnsafeMutableRawPointer(pc))] {
            ConvolutionPlan.check(dnnl_memory_set_data_handle(m, p), "memory_set_data_handle")
        }
        if let bias { ConvolutionPlan.check(dnnl_memory_set_data_handle(biasMemory, UnsafeMutableRawPointer(mutating: bias)), "memory_set_data_handle") }
        args.withUnsafeBufferPointer { args in
            ConvolutionPlan.check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), "primitive_execute")
        }
        ConvolutionPlan.check(dnnl_stream_wait(stream), "stream_wait")
    }

    /// A rows×cols row-major matrix with leading dimension `ld`, or, `transposed`, the
    /// transpose of a cols×rows one (element (i, j) at j·ld + i); with a `batch` above 1, that
    /// many such matrices one after another.
    private static func desc(rows: Int, cols: Int, ld: Int, transposed: Bool, batch: Int) -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t()
        var dims = [Int64(rows), Int64(cols)]
        var strides: [Int64] = transposed ? [1, Int64(ld)] : [Int64(ld), 1]
        if batch > 1 {
            dims.insert(Int64(batch), at: 0)
            strides.insert(Int64((transposed ? cols : rows) * ld), at: 0)
        }
        ConvolutionPlan.check(dnnl_memory_desc_init_by_strides(&d, Int32(dims.count), dims, dnnl_f32, strides),
                              "memory_desc_init_by_strides")
        return d
    }
}

/// Matmul plans by shape, handed out so that products running at once never share a plan.
final class MatmulPlans {
    private var plans: [MatmulPlan.Shape: [MatmulPlan]] = [:]

    /// One plan per shape in `shapes` (distinct plans for equal shapes), created on first use.
    func plans(for shapes: [MatmulPlan.Shape]) -> [MatmulPlan] {
        var used: [MatmulPlan.Shape: Int] = [:]
        return shapes.map { s in
            let i = used[s, default: 0]
            used[s] = i + 1
            var list = plans[s, default: []]
            if list.count <= i {
                list.append(MatmulPlan(s))
                plans[s] = list
            }
            return list[i]
        }
    }
}
