import CDNNL
import CWide
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// 2-D convolution over NHWC tensors with Keras's kernel layout (kh, kw, in, out), through
/// oneDNN, with a plain-loop reference for every pass.
///
/// A `ConvolutionPlan` holds the oneDNN primitives of one layer at one batch size (forward,
/// backward-data, backward-weights), created once and reused for every batch. oneDNN's
/// logical dimensions are (N, C, H, W) for data and (O, I, KH, KW) for weights; the memory
/// format tags `nhwc` and `hwio` make them the same bytes as our tensors. Only a plan on
/// Winograd kernels reorders activations (into and out of oneDNN's blocked layout, inside the
/// plan): layers always see `nhwc`.
///
/// Threads: one oneDNN CPU engine serves the whole process (`DNNLEngine.shared`, created on
/// first use by Swift's thread-safe lazy global initialization). Each plan owns its stream; its
/// scratchpad (oneDNN's "user" scratchpad mode) and Winograd's blocked copies are the calling
/// thread's (`Workspace`), so plans of different models can run on different threads at once; one plan must not be used by two threads at the same time (a
/// layer belongs to one model, which belongs to one trial). oneDNN's kernels use the OpenMP
/// thread count of the calling thread (`Threads.set`).
public final class ConvolutionPlan {
    public let geometry: WindowGeometry
    public let filters: Int
    public let hasBias: Bool
    /// The forward pass applies max(·, 0) to its output (oneDNN's eltwise post-op).
    public let appliesReLU: Bool
    /// x and dx (`blockedInput`), y and dy (`blockedOutput`) are in oneDNN's blocked layout
    /// (`Blocked`) instead of NHWC: a Winograd plan then computes in the caller's buffers, with
    /// no reorder on that side.
    public let blockedInput: Bool, blockedOutput: Bool

    /// A primitive with its prebuilt argument list (only the memory objects' data handles change).
    private struct Step {
        var primitive: OpaquePointer?
        var args: [dnnl_exec_arg_t]
    }
    private var steps: [Step] = []
    private var forwardStep = 0, backwardDataStep = 0, backwardWeightsStep = 0
    /// A reorder of our `hwio` kernel into a pass's layout, into the layer's shared copy `copy`
    /// (`SharedKernel`) when the plan has one.
    private struct KernelReorder {
        var step: Int
        var copy: Int?
    }
    /// Weight reorders around the passes (nil when oneDNN takes `hwio` as it is).
    private var forwardReorder: KernelReorder?, backwardDataReorder: KernelReorder?, backwardWeightsReorder: Int?
    /// The layer's kernel copies in the passes' layouts, shared with its other chunks' plans.
    private let shared: SharedKernel?
    /// The caller leaves y as the forward pass wrote it (`init`).
    private let finalOutput: Bool
    private var stream: OpaquePointer?
    /// Memory objects over the caller's buffers: data handles are set before each execution.
    private var srcMemory: OpaquePointer?, userWeightsMemory: OpaquePointer?, biasMemory: OpaquePointer?
    private var dstMemory: OpaquePointer?
    /// Memory objects owned by the plan: weights in each pass's preferred layout, and the scratchpads.
    private var ownedMemories: [OpaquePointer?] = []
    private var ownedBuffers: [UnsafeMutableRawPointer] = []
    /// The forward and weight-gradient passes as matrix products, for few input channels.
    private let patches: Patches?
    /// The forward and weight-gradient passes on oneDNN's Winograd kernels, when it has them.
    private var winograd: Winograd?
    /// All three passes by our own Winograd F(4×4, 3×3), where oneDNN has none (AVX2), with the
    /// kernel's two transforms (forward, and turned for the input gradient): the layer's shared
    /// copies `transformCopies`, or the plan's own `transforms`.
    private var tiles: Winograd4x4?
    private var transformCopies: [Int] = []
    private var transforms: [UnsafeMutablePointer<Float>] = []

    /// The Winograd passes' steps. They work on activations in oneDNN's blocked layout, so each
    /// pass reorders its inputs from `nhwc` and its output back; the thread's blocked copy of the
    /// input serves the weight gradient when that is the plan's next call on the thread (`Workspace`).
    private struct Winograd {
        var srcIn: Int, forward: Int, dstOut: Int, dyIn: Int, backwardWeights: Int
        var forwardReorder: KernelReorder?, backwardWeightsReorder: Int?
        /// The input gradient on Winograd too (from 64 input channels), with its reorders.
        var backwardData: (step: Int, weightsReorder: KernelReorder?, dxOut: Int)?
        /// Otherwise, with a blocked side (`blockedInput`, `blockedOutput`), the direct input
        /// gradient's NHWC dy and dx (over the thread's workspace on a blocked side), and the
        /// reorders from the caller's blocked dy and to its blocked dx.
        var nhwcBackwardData: (dy: OpaquePointer?, dx: OpaquePointer?, dyIn: Int?, dxOut: Int?)?
        /// The blocked activations' memory objects (over the calling thread's `Workspace`), sizes
        /// and layouts (`layoutNumber`).
        var blockedSrc: OpaquePointer?, blockedDst: OpaquePointer?
        var srcBytes: Int, dstBytes: Int
        var srcLayout: Int, dstLayout: Int
    }

    /// This plan's number, for `Workspace`'s record of who wrote a blocked copy.
    private let serial = ConvolutionPlan.serials.add(1, ordering: .relaxed).newValue
    private static let serials = Atomic<Int>(0)
    /// The calls made on this plan so far: a blocked copy is reused only by the call right after
    /// the one that wrote it (the chunk's next call may run on another thread, and then this
    /// thread's copy, even from the same buffer, is an older pass's).
    private var calls = 0
    /// The scratchpad's size (the largest of the plan's primitives').
    private var scratchBytes = 0
    private var scratchMemories: [OpaquePointer?] = []

    /// The Winograd weight gradient's memory object and the plan's buffer behind it, when that
    /// gradient's layout is `ABcd16b16a`: `backwardWeights(blocked: true)` then points it at the
    /// caller's buffer and skips the reorder to `hwio` (`addBlockedKernel` reads it there).
    private var blockedGradient: (memory: OpaquePointer?, owned: UnsafeMutableRawPointer)?
    /// `backwardWeights` can leave dw in oneDNN's `ABcd16b16a` (`addBlockedKernel`).
    public var writesBlockedGradient: Bool { blockedGradient != nil }

    /// The name of the algorithm the forward pass runs: "winograd" (oneDNN's), "winograd4x4"
    /// (ours, `Winograd4x4`), "patches" or "direct".
    public var algorithm: String {
        winograd != nil ? "winograd" : tiles != nil ? "winograd4x4" : patches != nil ? "patches" : "direct"
    }
    /// The input gradient runs on Winograd too (with `algorithm` "winograd").
    public var winogradBackwardData: Bool { winograd?.backwardData != nil }

    /// Creates the three primitives for `geometry` (whose `channels` is the input depth) with
    /// `filters` output channels. With `shared`, the kernel's reorders go into the layer's copies
    /// there, made once per `SharedKernel.invalidate()` for all its plans (`prepareKernel`).
    /// `finalOutput` promises that the caller leaves the forward pass's y as written (no
    /// activation applied over it in place): a Winograd plan's blocked copy of y may then serve
    /// the next layer's forward pass as its input.
    ///
    /// Activations stay `nhwc`; the weights are left to oneDNN (`format_tag_any`), which picks a
    /// blocked layout for its direct kernels (`jit:avx2` on this AVX2 machine; `brgconv` on
    /// AVX-512) where plain `hwio` gets the slower im2col `gemm:jit` path (bench/README.md). The plan reorders our `hwio` kernel into that layout before the forward and
    /// backward-data passes, and the weight gradient back into `hwio` after backward-weights:
    /// the kernel is small next to the activations, so these reorders cost little.
    ///
    /// With `relu`, the forward pass writes max(conv + bias, 0), the ReLU applied in registers
    /// by oneDNN's eltwise post-op instead of another pass over the output: the same bits, as
    /// max(z, 0) is exact (a NaN stays NaN and −0 stays −0 either way).
    ///
    /// `blockedInput`/`blockedOutput` (channels, filters in 16s) give that side the blocked
    /// layout; Winograd's is that one, and other plans take it as their descriptors' layout.
    public init(geometry g: WindowGeometry, filters: Int, bias: Bool, relu: Bool = false, shared: SharedKernel? = nil,
                finalOutput: Bool = false, blockedInput: Bool = false, blockedOutput: Bool = false) {
        precondition(!blockedInput || g.channels % 16 == 0, "ConvolutionPlan: blocked input of \(g.channels) channels")
        precondition(!blockedOutput || filters % 16 == 0, "ConvolutionPlan: blocked output of \(filters) filters")
        geometry = g
        self.filters = filters
        hasBias = bias
        appliesReLU = relu
        self.blockedInput = blockedInput
        self.blockedOutput = blockedOutput
        self.shared = shared
        self.finalOutput = finalOutput
        patches = Patches.suit(g) && !blockedInput && !blockedOutput ? Patches(g, filters: filters, bias: bias, relu: relu) : nil
        DNNLEngine.singleThreaded()
        let engine = DNNLEngine.shared.handle
        var src = Self.desc([g.batch, g.channels, g.height, g.width], blockedInput ? dnnl_aBcd16b : dnnl_nhwc)
        var dst = Self.desc([g.batch, filters, g.outHeight, g.outWidth], blockedOutput ? dnnl_aBcd16b : dnnl_nhwc)
        var userWeights = Self.desc([filters, g.channels, g.kernelH, g.kernelW], dnnl_hwio)
        var anyWeights = Self.desc([filters, g.channels, g.kernelH, g.kernelW], dnnl_format_tag_any)
        var biasDesc = Self.desc([filters], dnnl_a)
        let strides: [Int64] = [Int64(g.strideH), Int64(g.strideW)]
        let padL: [Int64] = [Int64(g.padTop), Int64(g.padLeft)]
        let padR: [Int64] = [Int64(g.padBottom), Int64(g.padRight)]

        var attr: OpaquePointer?
        Self.check(dnnl_primitive_attr_create(&attr), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        // User scratchpad: each plan owns its temporary memory, so primitives are not tied to the
        // thread that created them and plans on different threads never share a buffer.
        Self.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode")

        var fd = dnnl_convolution_desc_t()
        Self.check(withUnsafePointer(to: &biasDesc) { b in
            dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src, &anyWeights,
                                               bias ? b : nil, &dst, strides, padL, padR)
        }, "convolution_forward_desc_init")
        var forwardAttr: OpaquePointer?
        Self.check(dnnl_primitive_attr_create(&forwardAttr), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(forwardAttr) }
        Self.check(dnnl_primitive_attr_set_scratchpad_mode(forwardAttr, dnnl_scratchpad_mode_user), "set_scratchpad_mode")
        if relu {
            var ops: OpaquePointer?
            Self.check(dnnl_post_ops_create(&ops), "post_ops_create")
            defer { dnnl_post_ops_destroy(ops) }
            Self.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "post_ops_append_eltwise")
            Self.check(dnnl_primitive_attr_set_post_ops(forwardAttr, ops), "set_post_ops")
        }
        var fpd: OpaquePointer?
        Self.check(dnnl_primitive_desc_create(&fpd, &fd, forwardAttr, engine, nil), "forward primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(fpd) }

        var bd = dnnl_convolution_desc_t()
        Self.check(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src, &anyWeights, &dst,
                                                            strides, padL, padR), "backward_data_desc_init")
        var bdpd: OpaquePointer?
        Self.check(dnnl_primitive_desc_create(&bdpd, &bd, attr, engine, fpd), "backward data primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(bdpd) }

        var wd = dnnl_convolution_desc_t()
        Self.check(withUnsafePointer(to: &biasDesc) { b in
            dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &src, &anyWeights,
                                                        bias ? b : nil, &dst, strides, padL, padR)
        }, "backward_weights_desc_init")
        var bwpd: OpaquePointer?
        Self.check(dnnl_primitive_desc_create(&bwpd, &wd, attr, engine, fpd), "backward weights primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(bwpd) }

        // Winograd F(4×4, 3×3) for 3×3 stride-1 layers of 16k channels in and out, on CPUs where
        // oneDNN has it (AVX-512; not under the portable AVX2 cap): it does the multiplications of
        // a 4×4 output tile in 36 instead of 144, and measured 1.4–1.8× faster than the direct
        // kernels in the forward and weight-gradient passes (bench/README.md). Its backward-data
        // pass was no faster, so that one stays direct. Its sums differ from the direct kernels'
        // in the last bits, like any kernel change (`Kernels`); it is as deterministic.
        var wfpd: OpaquePointer?, wbwpd: OpaquePointer?, wbdpd: OpaquePointer?
        defer { dnnl_primitive_desc_destroy(wfpd); dnnl_primitive_desc_destroy(wbwpd); dnnl_primitive_desc_destroy(wbdpd) }
        if patches == nil && g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1
            && g.channels % 16 == 0 && filters % 16 == 0 {
            var anySrc = blockedInput ? src : Self.desc([g.batch, g.channels, g.height, g.width], dnnl_format_tag_any)
            var anyDst = blockedOutput ? dst : Self.desc([g.batch, filters, g.outHeight, g.outWidth], dnnl_format_tag_any)
            var wf = dnnl_convolution_desc_t(), ww = dnnl_convolution_desc_t()
            let made = withUnsafePointer(to: &biasDesc) { b in
                dnnl_convolution_forward_desc_init(&wf, dnnl_forward_training, dnnl_convolution_winograd, &anySrc, &anyWeights,
                                                   bias ? b : nil, &anyDst, strides, padL, padR) == dnnl_success
            } && dnnl_primitive_desc_create(&wfpd, &wf, forwardAttr, engine, nil) == dnnl_success
            if made {
                let ok = withUnsafePointer(to: &biasDesc) { b in
                    dnnl_convolution_backward_weights_desc_init(&ww, dnnl_convolution_winograd,
                        dnnl_primitive_desc_query_md(wfpd, dnnl_query_src_md, 0), &anyWeights, bias ? b : nil,
                        dnnl_primitive_desc_query_md(wfpd, dnnl_query_dst_md, 0), strides, padL, padR) == dnnl_success
                } && dnnl_primitive_desc_create(&wbwpd, &ww, attr, engine, wfpd) == dnnl_success
                if !ok { dnnl_primitive_desc_destroy(wfpd); wfpd = nil; wbwpd = nil }
                // From 64 input channels its input gradient is faster too (32 → 64: level).
                var wd = dnnl_convolution_desc_t()
                if ok && g.channels >= 64
                    && dnnl_convolution_backward_data_desc_init(&wd, dnnl_convolution_winograd,
                        dnnl_primitive_desc_query_md(wfpd, dnnl_query_src_md, 0), &anyWeights,
                        dnnl_primitive_desc_query_md(wfpd, dnnl_query_dst_md, 0), strides, padL, padR) == dnnl_success
                    && dnnl_primitive_desc_create(&wbdpd, &wd, attr, engine, wfpd) != dnnl_success {
                    wbdpd = nil
                }
            } else {
                wfpd = nil
            }
        }

        // Where oneDNN has no Winograd kernels for a layer that suits them, ours (AVX2).
        if wfpd == nil && patches == nil && !blockedInput && !blockedOutput && Self.ownWinograd
            && Winograd4x4.suits(g, filters: filters) {
            tiles = Winograd4x4(g, filters: filters)
            let count = Winograd4x4.kernelCount(g, filters: filters)
            if let shared {
                // Layouts of their own (one and two dimensions): never equal to each other or
                // to a kernel layout of oneDNN's (four).
                var forward = Self.desc([count], dnnl_a), turned = Self.desc([count, 1], dnnl_ab)
                transformCopies = [shared.copy(for: &forward), shared.copy(for: &turned)]
            } else {
                transforms = [.allocate(capacity: count), .allocate(capacity: count)]
            }
        }

        Self.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream_create")
        Self.check(dnnl_memory_create(&srcMemory, &src, engine, nil), "memory_create")
        Self.check(dnnl_memory_create(&userWeightsMemory, &userWeights, engine, nil), "memory_create")
        Self.check(dnnl_memory_create(&biasMemory, &biasDesc, engine, nil), "memory_create")
        Self.check(dnnl_memory_create(&dstMemory, &dst, engine, nil), "memory_create")

        // Every primitive (convolutions and reorders) runs in this plan's stream one at a time,
        // so they share one scratchpad buffer as large as the largest.
        // Copies: a queried descriptor lives only as long as its primitive descriptor.
        var scratchDescs: [dnnl_memory_desc_t] = []

        /// A memory object over a new buffer owned by the plan, for `md`.
        func ownedMemory(_ md: UnsafePointer<dnnl_memory_desc_t>) -> OpaquePointer? {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(dnnl_memory_desc_get_size(md), 64), alignment: 64)
            ownedBuffers.append(buffer)
            var m: OpaquePointer?
            Self.check(dnnl_memory_create(&m, md, engine, buffer), "memory_create")
            ownedMemories.append(m)
            return m
        }
        func addStep(_ pd: OpaquePointer?, _ args: [dnnl_exec_arg_t]) -> Int {
            var p: OpaquePointer?
            Self.check(dnnl_primitive_create(&p, pd), "primitive_create")
            steps.append(Step(primitive: p, args: args))
            scratchDescs.append(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)!.pointee)
            return steps.count - 1
        }
        /// The weights memory a pass reads: ours when its layout is `hwio`, else the layer's
        /// shared copy in that layout (or an owned buffer, without `shared`) with a reorder from ours.
        func weights(for pd: OpaquePointer?, query: dnnl_query_t) -> (OpaquePointer?, KernelReorder?) {
            let md = dnnl_primitive_desc_query_md(pd, query, 0)!
            if dnnl_memory_desc_equal(md, &userWeights) != 0 { return (userWeightsMemory, nil) }
            var mem: OpaquePointer?, copy: Int?
            if let shared {
                let i = shared.copy(for: md)
                Self.check(dnnl_memory_create(&mem, md, engine, shared.copies[i].buffer), "memory_create")
                ownedMemories.append(mem)
                copy = i
            } else {
                mem = ownedMemory(md)
            }
            var rpd: OpaquePointer?
            Self.check(dnnl_reorder_primitive_desc_create(&rpd, &userWeights, engine, md, engine, attr), "reorder")
            defer { dnnl_primitive_desc_destroy(rpd) }
            return (mem, KernelReorder(step: addStep(rpd, [Self.arg(Self.argSrc, userWeightsMemory), Self.arg(Self.argDst, mem)]),
                                       copy: copy))
        }

        if let wfpd, let wbwpd {
            // nhwc → blocked input, the convolution, blocked → nhwc output; for the weight
            // gradient, the kept blocked input and dy reordered like the output.
            func reorder(_ from: OpaquePointer?, _ to: OpaquePointer?) -> Int {
                var rpd: OpaquePointer?, fromMd: UnsafePointer<dnnl_memory_desc_t>?, toMd: UnsafePointer<dnnl_memory_desc_t>?
                Self.check(dnnl_memory_get_memory_desc(from, &fromMd), "memory_get_memory_desc")
                Self.check(dnnl_memory_get_memory_desc(to, &toMd), "memory_get_memory_desc")
                Self.check(dnnl_reorder_primitive_desc_create(&rpd, fromMd, engine, toMd, engine, attr), "reorder")
                defer { dnnl_primitive_desc_destroy(rpd) }
                return addStep(rpd, [Self.arg(Self.argSrc, from), Self.arg(Self.argDst, to)])
            }
            // Over the calling thread's workspace: a plan per chunk each holding its own blocked
            // copies (and 10–21 MB scratchpads) took hundreds of MB at evaluation batches.
            func threadMemory(_ md: UnsafePointer<dnnl_memory_desc_t>) -> OpaquePointer? {
                var m: OpaquePointer?
                Self.check(dnnl_memory_create(&m, md, engine, nil), "memory_create")
                ownedMemories.append(m)
                return m
            }
            let srcMd = dnnl_primitive_desc_query_md(wfpd, dnnl_query_src_md, 0)!
            let dstMd = dnnl_primitive_desc_query_md(wfpd, dnnl_query_dst_md, 0)!
            let blockedSrc = threadMemory(srcMd), blockedDst = threadMemory(dstMd)
            let (fw, fr) = weights(for: wfpd, query: dnnl_query_weights_md)
            let srcIn = reorder(srcMemory, blockedSrc)
            let forward = addStep(wfpd, [Self.arg(Self.argSrc, blockedSrc), Self.arg(Self.argWeights, fw),
                                         Self.arg(Self.argDst, blockedDst)] + (bias ? [Self.arg(Self.argBias, biasMemory)] : []))
            let dstOut = reorder(blockedDst, dstMemory)
            let dyIn = reorder(dstMemory, blockedDst)
            let dwMd = dnnl_primitive_desc_query_md(wbwpd, dnnl_query_diff_weights_md, 0)!
            let dw = dnnl_memory_desc_equal(dwMd, &userWeights) != 0 ? userWeightsMemory : ownedMemory(dwMd)
            var blockedDw = Self.desc([filters, g.channels, g.kernelH, g.kernelW], dnnl_ABcd16b16a)
            if dw != userWeightsMemory && dnnl_memory_desc_equal(dwMd, &blockedDw) != 0 {
                blockedGradient = (dw, ownedBuffers.last!)
            }
            let backward = addStep(wbwpd, [Self.arg(Self.argSrc, blockedSrc), Self.arg(Self.argDiffDst, blockedDst),
                                           Self.arg(Self.argDiffWeights, dw)] + (bias ? [Self.arg(Self.argDiffBias, biasMemory)] : []))
            winograd = Winograd(srcIn: srcIn, forward: forward, dstOut: dstOut, dyIn: dyIn, backwardWeights: backward,
                                forwardReorder: fr, backwardWeightsReorder: dw == userWeightsMemory ? nil : reorder(dw, userWeightsMemory),
                                blockedSrc: blockedSrc, blockedDst: blockedDst,
                                srcBytes: dnnl_memory_desc_get_size(srcMd), dstBytes: dnnl_memory_desc_get_size(dstMd),
                                srcLayout: Self.layoutNumber(srcMd), dstLayout: Self.layoutNumber(dstMd))
            if let wbdpd {
                // dx lands in the blocked input's buffer.
                let (bw, br) = weights(for: wbdpd, query: dnnl_query_weights_md)
                let step = addStep(wbdpd, [Self.arg(Self.argDiffDst, blockedDst), Self.arg(Self.argWeights, bw),
                                           Self.arg(Self.argDiffSrc, blockedSrc)])
                winograd!.backwardData = (step, br, reorder(blockedSrc, srcMemory))
            } else if blockedInput || blockedOutput {
                // The direct input gradient stays on NHWC, reordering a blocked side: on blocked
                // data oneDNN's direct kernel gives other bits (small_cnn's weights changed), and on
                // mixed layouts it has only its reference loops.
                var nhwcSrc = Self.desc([g.batch, g.channels, g.height, g.width], dnnl_nhwc)
                var nhwcDst = Self.desc([g.batch, filters, g.outHeight, g.outWidth], dnnl_nhwc)
                var nf = dnnl_convolution_desc_t(), nb = dnnl_convolution_desc_t()
                var hint: OpaquePointer?, npd: OpaquePointer?
                defer { dnnl_primitive_desc_destroy(hint); dnnl_primitive_desc_destroy(npd) }
                Self.check(withUnsafePointer(to: &biasDesc) { b in
                    dnnl_convolution_forward_desc_init(&nf, dnnl_forward_training, dnnl_convolution_direct, &nhwcSrc, &anyWeights,
                                                       bias ? b : nil, &nhwcDst, strides, padL, padR)
                }, "convolution_forward_desc_init")
                Self.check(dnnl_primitive_desc_create(&hint, &nf, forwardAttr, engine, nil), "forward primitive_desc_create")
                Self.check(dnnl_convolution_backward_data_desc_init(&nb, dnnl_convolution_direct, &nhwcSrc, &anyWeights, &nhwcDst,
                                                                    strides, padL, padR), "backward_data_desc_init")
                Self.check(dnnl_primitive_desc_create(&npd, &nb, attr, engine, hint), "backward data primitive_desc_create")
                let dy = blockedOutput ? threadMemory(&nhwcDst) : dstMemory
                let dx = blockedInput ? threadMemory(&nhwcSrc) : srcMemory
                let (bw, br) = weights(for: npd, query: dnnl_query_weights_md)
                backwardDataReorder = br
                backwardDataStep = addStep(npd, [Self.arg(Self.argDiffDst, dy), Self.arg(Self.argWeights, bw),
                                                 Self.arg(Self.argDiffSrc, dx)])
                winograd!.nhwcBackwardData = (dy, dx, blockedOutput ? reorder(blockedDst, dy) : nil,
                                              blockedInput ? reorder(dx, blockedSrc) : nil)
            }
        } else {
            let (fw, fr) = weights(for: fpd, query: dnnl_query_weights_md)
            forwardReorder = fr
            forwardStep = addStep(fpd, [Self.arg(Self.argSrc, srcMemory), Self.arg(Self.argWeights, fw), Self.arg(Self.argDst, dstMemory)]
                                  + (bias ? [Self.arg(Self.argBias, biasMemory)] : []))
        }
        // Backward data writes dInput through the src memory object and reads dy through dst:
        // the descriptors are the same, so each memory object serves both roles.
        if winograd?.backwardData == nil && winograd?.nhwcBackwardData == nil {
            let (bw, br) = weights(for: bdpd, query: dnnl_query_weights_md)
            backwardDataReorder = br
            backwardDataStep = addStep(bdpd, [Self.arg(Self.argDiffDst, dstMemory), Self.arg(Self.argWeights, bw),
                                              Self.arg(Self.argDiffSrc, srcMemory)])
        }
        if winograd == nil {
            let dwMd = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0)!
            let dw = dnnl_memory_desc_equal(dwMd, &userWeights) != 0 ? userWeightsMemory : ownedMemory(dwMd)
            backwardWeightsStep = addStep(bwpd, [Self.arg(Self.argSrc, srcMemory), Self.arg(Self.argDiffDst, dstMemory),
                                                 Self.arg(Self.argDiffWeights, dw)] + (bias ? [Self.arg(Self.argDiffBias, biasMemory)] : []))
            if dw != userWeightsMemory {
                var rpd: OpaquePointer?
                Self.check(dnnl_reorder_primitive_desc_create(&rpd, dwMd, engine, &userWeights, engine, attr), "reorder")
                defer { dnnl_primitive_desc_destroy(rpd) }
                backwardWeightsReorder = addStep(rpd, [Self.arg(Self.argSrc, dw), Self.arg(Self.argDst, userWeightsMemory)])
            }
        }

        scratchBytes = scratchDescs.map { md in withUnsafePointer(to: md) { dnnl_memory_desc_get_size($0) } }.max() ?? 0
        for (i, md) in scratchDescs.enumerated() {
            var m: OpaquePointer?, md = md
            Self.check(dnnl_memory_create(&m, &md, engine, nil), "scratchpad memory_create")
            ownedMemories.append(m)
            scratchMemories.append(m)
            steps[i].args.append(Self.arg(Self.argScratchpad, m))
        }
    }

    deinit {
        for s in steps { dnnl_primitive_destroy(s.primitive) }
        for m in [srcMemory, userWeightsMemory, biasMemory, dstMemory] + ownedMemories { dnnl_memory_destroy(m) }
        dnnl_stream_destroy(stream)
        for b in ownedBuffers { b.deallocate() }
        for t in transforms { t.deallocate() }
    }

    /// Whether plans may take our Winograd F(4×4, 3×3) (`Winograd4x4`): on unless the
    /// environment has RUNNER_WINOGRAD4X4=0 (to compare with oneDNN's direct kernels).
    static let ownWinograd: Bool = getenv("RUNNER_WINOGRAD4X4").map { String(cString: $0) != "0" } ?? true

    /// The kernel's transform for `tiles` (`turned`: the input gradient's), made from `weights`
    /// unless current (the layer's shared copy: made by the first chunk to need it, waited for
    /// by the others; a transform runs the same code on any thread, so who makes it changes no bit).
    private func tilesKernel(_ weights: UnsafePointer<Float>, turned: Bool) -> UnsafePointer<Float> {
        let tiles = tiles!, k = turned ? 1 : 0
        guard let shared, !transformCopies.isEmpty else {
            Winograd4x4.transformKernel(weights, tiles.g, filters: filters, rotate: turned, into: transforms[k])
            return UnsafePointer(transforms[k])
        }
        let i = transformCopies[k]
        let u = shared.copies[i].buffer.assumingMemoryBound(to: Float.self)
        let made = makeShared(shared, i) { Winograd4x4.transformKernel(weights, tiles.g, filters: filters, rotate: turned, into: u) }
        if !made { shared.waitFor(i) }
        return UnsafePointer(u)
    }

    /// y = conv(x, w) + b (then max(·, 0) when planned with `relu`). x (N, H, W, C), w (kh, kw, C, filters), b (filters), y (N, OH, OW, filters).
    public func forward(x: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        y: UnsafeMutablePointer<Float>, training: Bool = true) {
        precondition(hasBias == (bias != nil), "ConvolutionPlan: bias given \(bias != nil), planned \(hasBias)")
        let ws = Workspace.tick()
        if let patches { return patches.forward(x: x, weights: weights, bias: bias, y: y) }
        if let tiles {
            return tiles.forward(x: x, u: tilesKernel(weights, turned: false), bias: bias, relu: appliesReLU, y: y, training: training)
        }
        set(srcMemory, x); set(userWeightsMemory, weights); set(dstMemory, y)
        if let bias { set(biasMemory, bias) }
        if let w = winograd {
            // The previous plan call on this thread left x's blocked copy (its final output)?
            let previous = Workspace.Output(from: UnsafeRawPointer(x), layout: w.srcLayout, clock: ws.clock - 1)
            let kept = blockedInput ? nil : ws.blocked.firstIndex { $0.output == previous }
            let s = kept ?? 0, d = 1 - s
            setBlocked(w, ws, src: s, dst: d, x: blockedInput ? x : nil, y: blockedOutput ? y : nil)
            // The input first: a chunk waiting for another's kernel copy then waits less.
            if kept == nil && !blockedInput { execute(w.srcIn) }
            reorderKernel(w.forwardReorder)
            execute(w.forward)
            if !blockedOutput { execute(w.dstOut) }
            calls += 1
            ws.blocked[s].owner = blockedInput ? nil : Workspace.Owner(plan: serial, call: calls, from: UnsafeRawPointer(x))
            ws.blocked[s].output = nil
            ws.blocked[d].owner = nil
            ws.blocked[d].output = finalOutput && !blockedOutput
                ? Workspace.Output(from: UnsafeRawPointer(y), layout: w.dstLayout, clock: ws.clock) : nil
        } else {
            reorderKernel(forwardReorder)
            execute(forwardStep)
        }
        wait()
    }

    /// dx = the gradient with respect to the input (overwritten), from dy and w. Right after
    /// `backwardWeights` with the same dy on the same thread, a Winograd plan reuses that pass's
    /// blocked copy of dy: dy must not change between the two calls (`Conv2D.backward` makes
    /// them in a row).
    public func backwardData(dy: UnsafePointer<Float>, weights: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let ws = Workspace.tick()
        if let tiles { return tiles.backwardData(dy: dy, u: tilesKernel(weights, turned: true), dx: dx) }
        set(dstMemory, dy); set(userWeightsMemory, weights); set(srcMemory, dx)
        if let w = winograd, let (step, weightsReorder, dxOut) = w.backwardData {
            let kept = blockedOutput ? nil
                : ws.blocked.firstIndex { $0.owner == Workspace.Owner(plan: serial, call: calls, from: UnsafeRawPointer(dy)) }
            let d = kept ?? 1, s = 1 - d
            setBlocked(w, ws, src: s, dst: d, x: blockedInput ? dx : nil, y: blockedOutput ? dy : nil)
            reorderKernel(weightsReorder)
            if kept == nil && !blockedOutput { execute(w.dyIn) }
            calls += 1
            execute(step)
            for b in ws.blocked { b.owner = nil; b.output = nil }
            if !blockedInput { execute(dxOut) }
        } else if let w = winograd, let n = w.nhwcBackwardData {
            reorderKernel(backwardDataReorder)
            for b in ws.blocked { b.owner = nil; b.output = nil }
            setBlocked(w, ws, src: 0, dst: 1, x: blockedInput ? UnsafePointer(dx) : nil, y: blockedOutput ? dy : nil)
            if n.dyIn != nil {
                Self.check(dnnl_memory_set_data_handle(n.dy, ws.blocked[1].atLeast(w.dstBytes)), "memory_set_data_handle")
            }
            if n.dxOut != nil {
                Self.check(dnnl_memory_set_data_handle(n.dx, ws.blocked[0].atLeast(w.srcBytes)), "memory_set_data_handle")
            }
            if let dyIn = n.dyIn { execute(dyIn) }
            execute(backwardDataStep)
            if let dxOut = n.dxOut { execute(dxOut) }
        } else {
            reorderKernel(backwardDataReorder)
            execute(backwardDataStep)
        }
        wait()
    }

    /// dw (and db when planned with a bias) = the gradients of the weights, overwritten; with
    /// `blocked` (only when `writesBlockedGradient`), dw in oneDNN's `ABcd16b16a` instead of
    /// Keras's layout, for `addBlockedKernel`.
    public func backwardWeights(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                                db: UnsafeMutablePointer<Float>?, blocked: Bool = false) {
        precondition(hasBias == (db != nil), "ConvolutionPlan: bias gradient given \(db != nil), planned \(hasBias)")
        precondition(!blocked || writesBlockedGradient, "ConvolutionPlan: no blocked weight gradient here")
        let ws = Workspace.tick()
        if let patches { return patches.backwardWeights(x: x, dy: dy, dw: dw, db: db) }
        if let tiles { return tiles.backwardWeights(x: x, dy: dy, dw: dw, db: db) }
        set(srcMemory, x); set(dstMemory, dy); set(userWeightsMemory, dw)
        if let db { set(biasMemory, db) }
        if let w = winograd {
            let kept = blockedInput ? nil
                : ws.blocked.firstIndex { $0.owner == Workspace.Owner(plan: serial, call: calls, from: UnsafeRawPointer(x)) }
            let s = kept ?? 0, d = 1 - s
            setBlocked(w, ws, src: s, dst: d, x: blockedInput ? x : nil, y: blockedOutput ? dy : nil)
            if kept == nil && !blockedInput { execute(w.srcIn) }
            calls += 1
            for b in ws.blocked { b.owner = nil; b.output = nil }
            if !blockedOutput {
                execute(w.dyIn)
                ws.blocked[d].owner = Workspace.Owner(plan: serial, call: calls, from: UnsafeRawPointer(dy))
            }
            if let (memory, owned) = blockedGradient {
                Self.check(dnnl_memory_set_data_handle(memory, blocked ? UnsafeMutableRawPointer(dw) : owned), "memory_set_data_handle")
            }
            execute(w.backwardWeights)
            if !blocked, let r = w.backwardWeightsReorder { execute(r) }
        } else {
            execute(backwardWeightsStep)
            if let r = backwardWeightsReorder { execute(r) }
        }
        wait()
    }

    /// g[i, j, c, o] += b at (o, c, i, j) of `ABcd16b16a` (16×16 blocks of (c, o), o fastest)
    /// for the kernel rows (i, j, c) in `rows` (row r holds g[r·filters ..< (r+1)·filters]): the
    /// reorder to Keras's layout and the add in one pass, each value copied exactly, so the bits
    /// of reordering then adding. Channels and filters are multiples of 16 (Winograd's).
    public static func addBlockedKernel(_ b: UnsafePointer<Float>, _ g: WindowGeometry, filters: Int, rows: Range<Int>,
                                        into grad: UnsafeMutablePointer<Float>) {
        let c = g.channels, blocksIn = c / 16
        for r in rows {
            let ci = r % c, ij = r / c
            let from = b + (ci / 16 * g.kernelH * g.kernelW + ij) * 256 + ci % 16 * 16
            let to = grad + r * filters
            for ob in 0..<(filters / 16) {
                let s = from + ob * blocksIn * g.kernelH * g.kernelW * 256, d = to + ob * 16
                for k in 0..<16 { d[k] += s[k] }
            }
        }
    }

    // DNNL_ARG_* values from dnnl_types.h (macros of macros, which Swift does not import).
    // A reorder reads DNNL_ARG_FROM (= SRC) and writes DNNL_ARG_TO (= DST).
    static let argSrc: Int32 = 1, argDst: Int32 = 17, argWeights: Int32 = 33, argBias: Int32 = 41
    static let argScratchpad: Int32 = 80, argDiffSrc: Int32 = 129, argDiffDst: Int32 = 145
    static let argDiffWeights: Int32 = 161, argDiffBias: Int32 = 169

    private static func arg(_ index: Int32, _ memory: OpaquePointer?) -> dnnl_exec_arg_t { dnnl_exec_arg_t(arg: index, memory: memory) }

    private func set(_ memory: OpaquePointer?, _ pointer: UnsafePointer<Float>) {
        Self.check(dnnl_memory_set_data_handle(memory, UnsafeMutableRawPointer(mutating: pointer)), "memory_set_data_handle")
    }

    /// Points the Winograd steps' blocked memory objects at the thread's workspace buffers `src`
    /// and `dst` (0 and 1, either way round), or at the caller's blocked x (or dx) and y (or dy).
    private func setBlocked(_ w: Winograd, _ ws: Workspace, src: Int, dst: Int, x: UnsafePointer<Float>? = nil,
                            y: UnsafePointer<Float>? = nil) {
        let s = x.map { UnsafeMutableRawPointer(mutating: $0) } ?? ws.blocked[src].atLeast(w.srcBytes)
        let d = y.map { UnsafeMutableRawPointer(mutating: $0) } ?? ws.blocked[dst].atLeast(w.dstBytes)
        Self.check(dnnl_memory_set_data_handle(w.blockedSrc, s), "memory_set_data_handle")
        Self.check(dnnl_memory_set_data_handle(w.blockedDst, d), "memory_set_data_handle")
    }

    /// Reorders the kernel for a pass: into the plan's own buffer, or, with a shared copy, only
    /// when that copy is stale and no other chunk is already making it (then waits for it).
    private func reorderKernel(_ r: KernelReorder?) {
        guard let r else { return }
        guard let shared, let i = r.copy else { return execute(r.step) }
        if !makeShared(shared, i, by: r.step) { shared.waitFor(i) }
    }

    /// Makes the shared copy `i` with reorder `step` unless it is current; false, doing
    /// nothing, when another chunk is making it.
    private func makeShared(_ shared: SharedKernel, _ i: Int, by step: Int) -> Bool {
        makeShared(shared, i) {
            execute(step)
            wait()
        }
    }

    /// Makes the shared copy `i` with `make` unless it is current; false, doing nothing, when
    /// another chunk is making it.
    private func makeShared(_ shared: SharedKernel, _ i: Int, _ make: () -> Void) -> Bool {
        if shared.isCurrent(i) { return true }
        guard shared.take(i) else { return false }
        make()
        shared.finish(i)
        return true
    }

    /// Makes the layer's shared kernel copies (`SharedKernel`) that the forward pass and, with
    /// `backward`, the input-gradient pass read, from `weights`, except those current or being
    /// made by another chunk, beginning with the `first`th (modulo their number): chunks
    /// running at once, given different `first`, make different copies side by side instead of
    /// waiting for one another. Does nothing without `shared`.
    public func prepareKernel(_ weights: UnsafePointer<Float>, backward: Bool, first: Int) {
        guard let shared else { return }
        if tiles != nil {
            // Chunks running at once make the two transforms side by side (`first`).
            for k in 0..<(backward ? 2 : 1) { _ = tilesKernel(weights, turned: (first + k) % (backward ? 2 : 1) == 1) }
            return
        }
        let data: KernelReorder? = winograd?.backwardData.map { $0.weightsReorder } ?? backwardDataReorder
        let forward: KernelReorder? = patches != nil ? nil : winograd.map { $0.forwardReorder } ?? forwardReorder
        let reorders = ([forward] + (backward ? [data] : [])).compactMap { $0 }.filter { $0.copy != nil }
        guard !reorders.isEmpty else { return }
        set(userWeightsMemory, weights)
        for k in 0..<reorders.count {
            let r = reorders[(first + k) % reorders.count]
            _ = makeShared(shared, r.copy!, by: r.step)
        }
    }

    /// A number for each distinct memory layout met (the same for equal descriptors), so that a
    /// plan can tell whether another plan's blocked output is in its own input's layout.
    static func layoutNumber(_ md: UnsafePointer<dnnl_memory_desc_t>) -> Int {
        layouts.withLock { list in
            if let i = list.firstIndex(where: { known in withUnsafePointer(to: known) { dnnl_memory_desc_equal($0, md) != 0 } }) {
                return i
            }
            list.append(md.pointee)
            return list.count - 1
        }
    }
    private static let layouts = Mutex<[dnnl_memory_desc_t]>([])

    private func execute(_ step: Int) {
        if scratchBytes > 0 {
            Self.check(dnnl_memory_set_data_handle(scratchMemories[step], Workspace.current.scratch.atLeast(scratchBytes)),
                       "memory_set_data_handle")
        }
        let primitive = steps[step].primitive
        steps[step].args.withUnsafeBufferPointer { args in
            Self.check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), "primitive_execute")
        }
    }

    private func wait() { Self.check(dnnl_stream_wait(stream), "stream_wait") }

    static func desc(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&d, Int32(dims.count), dims.map(Int64.init), dnnl_f32, tag), "memory_desc_init_by_tag")
        return d
    }

    /// A failing oneDNN call is a bug or a broken installation, never a user error: trap with its name.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN \(what()) failed with status \(status.rawValue)")
    }
}

/// A convolution's forward and weight-gradient passes as matrix products over the patch matrix
/// (im2col), for inputs of few channels: a first layer on grayscale or RGB images (3×3×1 = 9
/// values per output). oneDNN's direct kernels vectorize over input channels and waste most
/// of their lanes there; the products run at matmul speed (bench/README.md).
///
/// The patch matrix P has one row per output position (n, oh, ow) and the window's kh·kw·C
/// input values in (i, j, c) order, zeros for padded cells: Keras's kernel (kh, kw, C, filters)
/// is already that many rows × filters, so y = P·W + b (then max(·, 0), as the direct plan's
/// post-op), dW = Pᵀ·dZ and db = the column sums of dZ. P is packed (a ones column for the
/// bias gradient made oneDNN fall back from its `brg` matmul to the 4× slower `gemm:jit`).
/// The input gradient stays with oneDNN's backward-data convolution.
final class Patches {
    let g: WindowGeometry
    let filters: Int
    /// Values per patch (kh·kw·C).
    let size: Int
    let rows: Int
    let matrix: UnsafeMutablePointer<Float>
    let forwardProduct: MatmulPlan
    let weightsProduct: MatmulPlan

    /// Few channels and small windows: 3×3 on grayscale or RGB. A 7×7 first layer of 64 filters
    /// (49 values per patch) ran faster on the direct kernels (bench/README.md).
    static func suit(_ g: WindowGeometry) -> Bool { g.channels <= 4 && g.kernelH * g.kernelW * g.channels <= 32 }

    init(_ g: WindowGeometry, filters: Int, bias: Bool, relu: Bool) {
        self.g = g
        self.filters = filters
        size = g.kernelH * g.kernelW * g.channels
        rows = g.batch * g.outHeight * g.outWidth
        matrix = .allocate(capacity: rows * size)
        forwardProduct = MatmulPlan(.init(m: rows, n: filters, k: size, bias: bias, relu: relu))
        weightsProduct = MatmulPlan(.init(transA: true, m: size, n: filters, k: rows))
    }

    deinit { matrix.deallocate() }

    func fill(_ x: UnsafePointer<Float>) { Self.fill(g, x, into: matrix) }

    /// Fills the patch matrix of `g` from x. One channel on AVX-512 takes the C loop
    /// (`cwide_patches_gray`: the same values row by row, in half the time in small_cnn's first layer);
    /// otherwise (and with `wide` false), one window offset (i, j) at a time along an output row:
    /// the output columns whose cell falls outside the input get zeros, the rest one strided
    /// copy each (no per-cell branches or copy calls).
    static func fill(_ g: WindowGeometry, _ x: UnsafePointer<Float>, into matrix: UnsafeMutablePointer<Float>,
                     wide: Bool = true) {
        if wide {
            var cg = Pooling.cWindow(g)
            if cwide_patches_gray(&cg, x, matrix) { return }
        }
        let c = g.channels, sw = g.strideW, size = g.kernelH * g.kernelW * c
        for n in 0..<g.batch { for oh in 0..<g.outHeight {
            let rowBase = matrix + (n * g.outHeight + oh) * g.outWidth * size
            for i in 0..<g.kernelH {
                let ih = oh * g.strideH - g.padTop + i
                for j in 0..<g.kernelW {
                    let dst = rowBase + (i * g.kernelW + j) * c
                    // Output columns ow whose input column ow·sw − left + j lies in 0..<width.
                    let shift = j - g.padLeft
                    var lo = 0, hi = 0
                    if ih >= 0 && ih < g.height {
                        lo = min(g.outWidth, max(0, (-shift + sw - 1) / sw))
                        hi = max(lo, min(g.outWidth, (g.width - 1 - shift) / sw + 1))
                    }
                    for ow in 0..<lo { for k in 0..<c { dst[ow * size + k] = 0 } }
                    if hi > lo {
                        let src = x + ((n * g.height + ih) * g.width + shift) * c
                        if c == 1 {
                            for ow in lo..<hi { dst[ow * size] = src[ow * sw] }
                        } else {
                            for ow in lo..<hi { for k in 0..<c { dst[ow * size + k] = src[ow * sw * c + k] } }
                        }
                    }
                    for ow in hi..<g.outWidth { for k in 0..<c { dst[ow * size + k] = 0 } }
                }
            }
        } }
    }

    /// The input the matrix was filled from (the last forward pass's).
    private var filledFrom: UnsafePointer<Float>?

    func forward(x: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        fill(x)
        filledFrom = x
        forwardProduct.run(a: matrix, b: weights, c: y, bias: bias)
    }

    /// dW = Pᵀ·dZ with the patch matrix of the last forward pass (a backward pass always follows
    /// its forward pass on the same plan); db = Σ_rows dZ.
    func backwardWeights(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                         db: UnsafeMutablePointer<Float>?) {
        if filledFrom != x { fill(x); filledFrom = x }
        weightsProduct.run(a: matrix, b: dy, c: dw)
        if let db {
            db.update(repeating: 0, count: filters)
            Gemm.addColumnSums(rows: rows, cols: filters, of: dy, into: db)
        }
    }
}

/// A thread's working memory for oneDNN plans: the scratchpad, and two buffers for the blocked
/// input and output copies of Winograd plans. A thread runs one primitive at a time and a
/// scratchpad holds nothing between calls, so every plan on the thread shares one, as large as
/// the largest met. A blocked copy is reused only
/// - by the plan's next call after the one that wrote it, on the same thread, from the same
///   buffer (`owner`): the weight gradient right after the forward pass, the input gradient
///   right after the weight gradient;
/// - or, for a plan's output, by the thread's next plan call if that is a forward pass reading
///   the same buffer in the same layout (`output`): the second of two Winograd layers in a row
///   takes the first one's blocked output as its blocked input.
/// Anything between them on the thread (another layer, another chunk) makes the pass reorder
/// again. Freed when the thread ends.
final class Workspace {
    /// A plan, its call that filled the buffer (`ConvolutionPlan.calls` after it), and from where.
    struct Owner: Equatable {
        var plan: Int
        var call: Int
        var from: UnsafeRawPointer
    }
    /// A plan's final output (`ConvolutionPlan.finalOutput`) at `from`, in the layout numbered
    /// `layout` (`ConvolutionPlan.layoutNumber`), written by the thread's plan call `clock`.
    struct Output: Equatable {
        var from: UnsafeRawPointer
        var layout: Int
        var clock: Int
    }
    final class Buffer {
        private var pointer: UnsafeMutableRawPointer?
        private var size = 0
        /// Who filled the buffer from where (nil: nothing reusable).
        var owner: Owner?
        var output: Output?

        /// The buffer, grown (and its contents dropped) when smaller than `bytes`.
        func atLeast(_ bytes: Int) -> UnsafeMutableRawPointer {
            if size < bytes || pointer == nil {
                pointer?.deallocate()
                pointer = .allocate(byteCount: max(bytes, 64), alignment: 64)
                size = bytes
                owner = nil
                output = nil
            }
            return pointer!
        }
        deinit { pointer?.deallocate() }
    }
    let scratch = Buffer()
    let blocked = [Buffer(), Buffer()]
    /// `Winograd4x4`'s transforms and products.
    let winograd = [Buffer(), Buffer(), Buffer()]
    /// The plan calls made on this thread so far (every plan's, whatever its algorithm).
    var clock = 0

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { p in
            if let p { Unmanaged<Workspace>.fromOpaque(p).release() }
        }
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()

    /// The calling thread's workspace, made on first use.
    static var current: Workspace {
        if let p = pthread_getspecific(key) { return Unmanaged<Workspace>.fromOpaque(p).takeUnretainedValue() }
        let ws = Workspace()
        pthread_setspecific(key, Unmanaged.passRetained(ws).toOpaque())
        return ws
    }

    /// Counts a plan call on the calling thread; returns the thread's workspace.
    static func tick() -> Workspace {
        let ws = current
        ws.clock += 1
        return ws
    }
}

/// A convolution layer's kernel in the layouts its plans' passes read (oneDNN's blocked or
/// Winograd layouts), one copy per layout shared by the plans of all the layer's chunks: with a
/// plan per chunk, each reordered the kernel for every pass, twice per chunk and step (3% of the
/// notebook CNN's epoch for its Winograd layers, whose reorder is a transform).
///
/// A copy holds the kernel of the current generation: `invalidate()` starts a new one (the
/// layer calls it at the start of every forward pass, with no pass running, so a copy never
/// outlives a change of the kernel), and the first chunk needing a copy makes it while the
/// others wait for it (`ConvolutionPlan.prepareKernel` lets chunks make different copies at
/// once). A reorder is exact (a transform runs the same code on any thread), so who makes a
/// copy does not change a bit. The kernel must not change between a forward pass and its
/// backward pass.
public final class SharedKernel: @unchecked Sendable {
    final class Copy {
        let md: dnnl_memory_desc_t
        let buffer: UnsafeMutableRawPointer
        /// The generation the buffer holds, and the last one a thread took to make.
        let made = Atomic<Int>(0), taken = Atomic<Int>(0)
        init(md: dnnl_memory_desc_t, buffer: UnsafeMutableRawPointer) { self.md = md; self.buffer = buffer }
    }
    /// Appended to only while plans are made (outside passes); read by the passes.
    private(set) var copies: [Copy] = []
    /// Changed only between passes (the threads of a pass start after it is written).
    private var generation = 1

    public init() {}

    deinit { for c in copies { c.buffer.deallocate() } }

    /// The kernel may have changed: every copy is remade by the next pass that reads it.
    public func invalidate() { generation += 1 }

    /// The copy in layout `md`, made on first request.
    func copy(for md: UnsafePointer<dnnl_memory_desc_t>) -> Int {
        if let i = copies.firstIndex(where: { c in withUnsafePointer(to: c.md) { dnnl_memory_desc_equal($0, md) != 0 } }) {
            return i
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(dnnl_memory_desc_get_size(md), 64), alignment: 64)
        copies.append(Copy(md: md.pointee, buffer: buffer))
        return copies.count - 1
    }

    func isCurrent(_ i: Int) -> Bool { copies[i].made.load(ordering: .acquiring) == generation }

    /// True when the caller is to make copy `i` (then `finish`); false when another thread has.
    func take(_ i: Int) -> Bool {
        let c = copies[i], seen = c.taken.load(ordering: .relaxed)
        return seen != generation && c.taken.compareExchange(expected: seen, desired: generation, ordering: .relaxed).exchanged
    }

    func finish(_ i: Int) { copies[i].made.store(generation, ordering: .releasing) }

    /// Waits until the thread that took copy `i` has made it (a reorder: microseconds to a millisecond).
    func waitFor(_ i: Int) {
        while !isCurrent(i) { sched_yield() }
    }
}

/// The process's one oneDNN CPU engine, created on first use (Swift initializes a static `let`
/// exactly once, thread-safely) and never destroyed.
final class DNNLEngine: @unchecked Sendable {
    let handle: OpaquePointer?
    static let shared = DNNLEngine()
    private init() {
        var e: OpaquePointer?
        ConvolutionPlan.check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine_create")
        handle = e
    }

    /// Makes the calling thread's OpenMP team one thread before a primitive is created: oneDNN
    /// picks an algorithm (how a weight gradient is split and reduced, for one) for the
    /// thread count it sees at creation, and the engine always runs its primitives on one
    /// thread. Without this a plan made on a thread that never called `Threads.set` (a test,
    /// `predict`) would be planned for every core and give other bits.
    static func singleThreaded() { omp_set_num_threads(1) }
}

/// Plain-loop references for the three convolution passes (same layouts as `ConvolutionPlan`),
/// accumulated in Double: slow, obviously right, and the yardstick for the oneDNN path.
public enum ConvolutionReference {
    /// y[n, oh, ow, o] = b[o] + Σ_{i, j, c} x[n, oh·sh − top + i, ow·sw − left + j, c] · w[i, j, c, o].
    public static func forward(_ g: WindowGeometry, filters: Int, x: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        let c = g.channels
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for o in 0..<filters {
            var s = bias.map { Double($0[o]) } ?? 0
            for i in 0..<g.kernelH { for j in 0..<g.kernelW {
                let ih = oh * g.strideH - g.padTop + i, iw = ow * g.strideW - g.padLeft + j
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                for ci in 0..<c {
                    s += Double(x[((n * g.height + ih) * g.width + iw) * c + ci]) * Double(w[((i * g.kernelW + j) * c + ci) * filters + o])
                }
            } }
            y[((n * g.outHeight + oh) * g.outWidth + ow) * filters + o] = Float(s)
        } } } }
    }

    /// dx[n, ih, iw, c] = Σ over the outputs whose window covers (ih, iw) of dy · w (overwrites dx).
    public static func backwardData(_ g: WindowGeometry, filters: Int, dy: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                                    dx: UnsafeMutablePointer<Float>) {
        let c = g.channels
        var acc = [Double](repeating: 0, count: g.inputCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for i in 0..<g.kernelH { for j in 0..<g.kernelW {
                let ih = oh * g.strideH - g.padTop + i, iw = ow * g.strideW - g.padLeft + j
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                for ci in 0..<c { for o in 0..<filters {
                    acc[((n * g.height + ih) * g.width + iw) * c + ci] +=
                        Double(dy[((n * g.outHeight + oh) * g.outWidth + ow) * filters + o]) * Double(w[((i * g.kernelW + j) * c + ci) * filters + o])
                } }
            } }
        } } }
        for k in 0..<acc.count { dx[k] = Float(acc[k]) }
    }

    /// dw[i, j, c, o] = Σ_{n, oh, ow} x[n, ih, iw, c] · dy[n, oh, ow, o]; db[o] = Σ dy[…, o] (both overwritten).
    public static func backwardWeights(_ g: WindowGeometry, filters: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                       dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?) {
        let c = g.channels
        for i in 0..<g.kernelH { for j in 0..<g.kernelW { for ci in 0..<c { for o in 0..<filters {
            var s = 0.0
            for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
                let ih = oh * g.strideH - g.padTop + i, iw = ow * g.strideW - g.padLeft + j
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                s += Double(x[((n * g.height + ih) * g.width + iw) * c + ci]) * Double(dy[((n * g.outHeight + oh) * g.outWidth + ow) * filters + o])
            } } }
            dw[((i * g.kernelW + j) * c + ci) * filters + o] = Float(s)
        } } } }
        if let db {
            for o in 0..<filters {
                var s = 0.0
                for p in 0..<(g.batch * g.outHeight * g.outWidth) { s += Double(dy[p * filters + o]) }
                db[o] = Float(s)
            }
        }
    }
}
