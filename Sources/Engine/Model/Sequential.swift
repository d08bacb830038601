/// Keras's `Sequential`: layers applied in order, each taking the previous one's output.
///
/// `build` names the layers as Keras does (the snake-case class name, then `_1`, `_2`, ...
/// for repeats: dense, dense_1, conv2d, max_pooling2d; counted per model, where Keras counts
/// per session), keeps names the caller chose, and initializes layer i from its own
/// generator `RandomGenerator(seed:stream:"layer",index:i)`, so a seed gives bit-identical
/// weights whatever else draws random numbers.
public final class Sequential {
    public private(set) var layers: [Layer]
    /// The shape of one sample (no batch axis), set by `build`.
    public private(set) var inputShape: [Int] = []
    public private(set) var isBuilt = false
    /// Every parameter of every layer, in layer order (Keras's `model.weights` order).
    public private(set) var parameters: [Parameter] = []
    public var name = "sequential"
    /// Activations between Winograd Conv2Ds and their pooling or Winograd neighbours stay in
    /// oneDNN's blocked layout (`chooseLayouts`); off, every activation is NHWC. The same bits
    /// either way (tests compare); read by `build`.
    public var blockedActivations = true
    /// A Conv2D on few channels and the 2×2 MaxPooling2D after it run as one pass where they
    /// suit it, and a Conv2D before such a pool takes its input gradient from the pool's
    /// gradient (`pairPools`, `PooledConvolution`); off, every layer runs its own. Read by `build`.
    public var fusesPooling = true

    public init(_ layers: [Layer] = []) { self.layers = layers }

    public func add(_ layer: Layer) {
        precondition(!isBuilt, "Sequential.add after build")
        layers.append(layer)
    }

    /// Builds every layer for `inputShape` (per sample), names them and initializes them.
    /// `willBuild`, when given, sees each layer and its input shape before the layer allocates
    /// anything, and may refuse it (a model file checks sizes against its tensors this way).
    public func build(inputShape: [Int], seed: UInt64,
                      willBuild: ((_ index: Int, _ layer: Layer, _ inputShape: [Int]) throws(ShapeError) -> Void)? = nil) throws(ShapeError) {
        self.inputShape = inputShape
        var counts: [String: Int] = [:]
        var used = Set<String>()
        // A name the caller chose (anything but empty or the layer kind's default) is kept.
        for layer in layers where !layer.name.isEmpty && layer.name != Self.snakeCase(layer.kind) {
            guard used.insert(layer.name).inserted else {
                throw ShapeError(EngineSay.duplicateLayerName(layer.name))
            }
        }
        var shape = inputShape
        for (i, layer) in layers.enumerated() {
            let base = Self.snakeCase(layer.kind)
            if layer.name.isEmpty || layer.name == base {
                var seen = counts[base, default: 0]
                var candidate = seen == 0 ? base : "\(base)_\(seen)"
                while used.contains(candidate) {
                    seen += 1
                    candidate = "\(base)_\(seen)"
                }
                layer.name = candidate
                counts[base] = seen + 1
                used.insert(candidate)
            }
            var rng = RandomGenerator(seed: seed, stream: "layer", index: i)
            try willBuild?(i, layer, shape)
            do {
                try layer.build(inputShape: shape, rng: &rng)
            } catch {
                throw ShapeError(layerIndex: i, EngineSay.inLayer(layer.name, layer.kind, error.message))
            }
            shape = layer.outputShape
        }
        parameters = layers.flatMap(\.parameters)
        segments = Self.segments(of: layers)
        Self.chooseLayouts(layers, blocked: blockedActivations)
        Self.pairPools(layers, on: fusesPooling)
        isBuilt = true
    }

    /// The shape of one output sample.
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }

    public var trainableParameters: [Parameter] { parameters.filter(\.trainable) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public var trainableParameterCount: Int { parameters.reduce(0) { $0 + ($1.trainable ? $1.count : 0) } }

    /// The forward pass through every layer; the result is the last layer's own buffer.
    ///
    /// Consecutive `ChunkedLayer`s (conv → pool → conv → pool → flatten) run as one segment:
    /// each chunk of samples goes through all of them before the next chunk starts, so its
    /// activations stay in the core's cache; the same bits as layer by layer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(isBuilt, "Sequential.forward before build")
        var h = x
        for segment in segments {
            if segment.count == 1 {
                h = layers[segment.lowerBound].forward(h, training: training)
                continue
            }
            let run = segment.map { layers[$0] as! ChunkedLayer }
            for layer in run { h = layer.beginForward(h, training: training) }
            Threads.forEach(Threads.chunks(of: x.batch).count) { c in
                for layer in run { layer.forward(chunk: c) }
            }
        }
        return h
    }

    /// The layers' indices in runs, fixed by `build`: each run of two or more `ChunkedLayer`s
    /// is one segment, every other layer a segment of its own.
    private var segments: [Range<Int>] = []

    private static func segments(of layers: [Layer]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < layers.count {
            var j = i
            while j < layers.count, layers[j] is ChunkedLayer { j += 1 }
            if j - i >= 2 { out.append(i..<j); i = j } else { out.append(i..<(i + 1)); i += 1 }
        }
        return out
    }

    /// Marks the activations (and their gradients) that stay in oneDNN's blocked layout: those
    /// between a Conv2D that runs on Winograd kernels (with a ReLU or no activation: elementwise
    /// either way) and a MaxPooling2D or another such Conv2D, or between a MaxPooling2D and such
    /// a Conv2D, of channels in 16s. The Winograd kernels compute in that layout, so each such
    /// activation saves a reorder into it and one out of it in each direction; the pooling loops
    /// read and write either layout. (A Conv2D whose input gradient runs on the direct kernels,
    /// under 64 input channels, reorders for that pass alone: `ConvolutionPlan`.) Everything
    /// else stays NHWC (Flatten needs Keras's order).
    static func chooseLayouts(_ layers: [Layer], blocked: Bool) {
        for layer in layers {
            if let c = layer as? Conv2D { c.inputBlocked = false; c.outputBlocked = false }
            if let p = layer as? MaxPooling2D { p.inputBlocked = false; p.outputBlocked = false }
        }
        guard blocked, layers.count > 1 else { return }
        func winograd(_ l: Layer) -> Conv2D? { (l as? Conv2D).flatMap { $0.winogradPasses.winograd ? $0 : nil } }
        // Edge i: layer i's output, layer i + 1's input.
        let edges = (0..<(layers.count - 1)).map { i -> Bool in
            let a = layers[i], b = layers[i + 1]
            guard a.outputShape.count == 3, a.outputShape[2] % 16 == 0 else { return false }
            let convOut = winograd(a).map { $0.activation == .relu || $0.activation == .linear } ?? false
            return (convOut && (winograd(b) != nil || b is MaxPooling2D)) || (a is MaxPooling2D && winograd(b) != nil)
        }
        for (i, isBlocked) in edges.enumerated() where isBlocked {
            if let c = layers[i] as? Conv2D { c.outputBlocked = true }
            if let p = layers[i] as? MaxPooling2D { p.outputBlocked = true }
            if let c = layers[i + 1] as? Conv2D { c.inputBlocked = true }
            if let p = layers[i + 1] as? MaxPooling2D { p.inputBlocked = true }
        }
    }

    /// Pairs each Conv2D with the MaxPooling2D right after it where the two can run as one pass
    /// (`PooledConvolution.suits`: few input channels, ReLU or no activation, 2×2 windows of
    /// stride 2, both sides NHWC). The Conv2D then decides per pass (`Conv2D.poolsThisPass`): a
    /// first layer in training and any inference pass pool; a training pass that needs the
    /// layer's input gradient runs the two apart. Where that input gradient is needed, a Conv2D
    /// on channels in 8s before such a pool takes it from the pool's gradient
    /// (`Conv2D.gradientPool`, `PooledConvolution.backwardData`).
    static func pairPools(_ layers: [Layer], on: Bool) {
        for layer in layers {
            (layer as? Conv2D)?.pooled = nil
            (layer as? Conv2D)?.gradientPool = nil
            (layer as? MaxPooling2D)?.fusedConvolution = nil
        }
        guard on else { return }
        for (a, b) in zip(layers, layers.dropFirst()) {
            guard let conv = a as? Conv2D, let pool = b as? MaxPooling2D, !conv.outputBlocked, !pool.inputBlocked,
                  !pool.outputBlocked, let g = conv.windowGeometry, let pg = pool.windowGeometry else { continue }
            if !conv.inputBlocked && PooledConvolution.suitsInputGradient(g, filters: conv.filters, activation: conv.activation, pool: pg) {
                conv.gradientPool = pool
            }
            guard PooledConvolution.suits(g, filters: conv.filters, activation: conv.activation, pool: pg) else { continue }
            conv.pooled = pool
            pool.fusedConvolution = conv
        }
    }

    /// The backward pass from the gradient with respect to the output; adds into every
    /// parameter's `grad` and returns the gradient with respect to the input.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        var d = dOutput
        for segment in segments.reversed() {
            if segment.count == 1 {
                d = layers[segment.lowerBound].backward(d)
                continue
            }
            let run = segment.reversed().map { layers[$0] as! ChunkedLayer }
            for layer in run { d = layer.beginBackward(d) }
            backward(run, batch: dOutput.batch)
        }
        return d
    }

    /// A run's backward pass as one graph of tasks (`Threads.run`): each chunk through each
    /// layer, top down, after that chunk's gradient from the layer above (or after the layer
    /// above's whole-batch input gradient, `backwardMeetingTasks`); a layer's whole-batch tasks
    /// after all its chunks; its closing tasks (`endBackwardTasks`) after both, last in priority,
    /// so that a thread waiting for the other's input gradient adds weight gradients meanwhile.
    /// Every task computes what it computes in layer order: the same bits.
    private func backward(_ run: [ChunkedLayer], batch: Int) {
        let chunks = Threads.chunks(of: batch).count
        enum Task { case chunk(Int, Int), meeting(Int, Int), closing(Int, Int) }
        var tasks: [Task] = [], after: [[Int]] = []
        var chunkTask: [[Int]] = [], meetingTasks: [[Int]] = []
        for (l, layer) in run.enumerated() {
            var own: [Int] = []
            for c in 0..<chunks {
                own.append(tasks.count)
                tasks.append(.chunk(l, c))
                after.append(l == 0 ? [] : meetingTasks[l - 1].isEmpty ? [chunkTask[l - 1][c]] : [meetingTasks[l - 1][0]])
            }
            chunkTask.append(own)
            var meeting: [Int] = []
            for t in 0..<layer.backwardMeetingTasks() {
                meeting.append(tasks.count)
                tasks.append(.meeting(l, t))
                after.append(own)
            }
            meetingTasks.append(meeting)
        }
        for (l, layer) in run.enumerated() {
            for t in 0..<layer.endBackwardTasks() {
                tasks.append(.closing(l, t))
                after.append(chunkTask[l] + meetingTasks[l])
            }
        }
        Threads.run(tasks.count, after: after) { i in
            switch tasks[i] {
            case let .chunk(l, c): run[l].backward(chunk: c)
            case let .meeting(l, t): run[l].backwardMeeting(task: t)
            case let .closing(l, t): run[l].endBackward(task: t)
            }
        }
    }

    public func zeroGradients() {
        for p in parameters { p.grad.fill(0) }
    }

    /// A copy of every parameter's values, trainable or not (Keras's `get_weights`).
    public func weights() -> [[Float]] { parameters.map(\.value.array) }

    /// Restores values taken by `weights()`.
    public func setWeights(_ values: [[Float]]) {
        precondition(values.count == parameters.count, "setWeights: \(values.count) arrays for \(parameters.count) parameters")
        for (p, v) in zip(parameters, values) { p.value.copy(from: v) }
    }

    /// Copies `weights()` into `storage` without allocating once it has the right shapes.
    public func copyWeights(into storage: inout [[Float]]) {
        if storage.count != parameters.count { storage = weights(); return }
        for (i, p) in parameters.enumerated() {
            if storage[i].count != p.count { storage[i] = p.value.array; continue }
            storage[i].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: p.value.data, count: p.count) }
        }
    }

    /// Keras's `to_snake_case` of a class name: "MaxPooling2D" → "max_pooling2d".
    public static func snakeCase(_ name: String) -> String {
        // Two passes as Keras's regular expressions: "(.)([A-Z][a-z]+)" → "\1_\2", then
        // "([a-z])([A-Z])" → "\1_\2"; then lowercase.
        let c = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        var pass1: [Character] = []
        for (i, ch) in c.enumerated() {
            if i > 0, ch.isUppercase, i + 1 < c.count, c[i + 1].isLowercase { pass1.append("_") }
            pass1.append(ch)
        }
        var out = ""
        for (i, ch) in pass1.enumerated() {
            if i > 0, ch.isUppercase, pass1[i - 1].isLowercase { out.append("_") }
            out.append(ch)
        }
        return out.lowercased()
    }
}

extension Sequential {
    /// A text table like Keras 3's `model.summary()`: layer name and type, output shape with
    /// `None` for the batch, parameter count; then the totals with thousands separators and
    /// their size as float32.
    public func summary() -> String {
        let head = ["Layer (type)", "Output Shape", "Param #"]
        var rows: [[String]] = []
        for layer in layers {
            let shape = "(" + (["None"] + layer.outputShape.map(String.init)).joined(separator: ", ") + ")"
            rows.append(["\(layer.name) (\(layer.kind))", shape,
                         Self.grouped(layer.parameters.reduce(0) { $0 + $1.count })])
        }
        let widths = (0..<3).map { c in max(([head] + rows).map { $0[c].count }.max() ?? 0, [31, 22, 13][c]) }
        func line(_ l: String, _ m: String, _ r: String, _ fill: String) -> String {
            l + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: m) + r
        }
        func cells(_ v: [String], _ edge: String) -> String {
            let padded = v.enumerated().map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return i == 2 ? pad + s : s + pad    // Param # right-aligned as Keras
            }
            return edge + " " + padded.joined(separator: " \(edge) ") + " " + edge
        }
        var out = ["Model: \"\(name)\"", line("┏", "┳", "┓", "━"), cells(head, "┃"), line("┡", "╇", "┩", "━")]
        for (i, r) in rows.enumerated() {
            out.append(cells(r, "│"))
            if i < rows.count - 1 { out.append(line("├", "┼", "┤", "─")) }
        }
        out.append(line("└", "┴", "┘", "─"))
        let total = parameterCount, trainable = trainableParameterCount
        out.append(" Total params: \(Self.grouped(total)) (\(Self.memorySize(total * 4)))")
        out.append(" Trainable params: \(Self.grouped(trainable)) (\(Self.memorySize(trainable * 4)))")
        out.append(" Non-trainable params: \(Self.grouped(total - trainable)) (\(Self.memorySize((total - trainable) * 4)))")
        return out.joined(separator: "\n")
    }

    /// 1413834 → "1,413,834".
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Keras's `readable_memory_size`: bytes in B, KB, MB, GB (powers of 1024), two decimals.
    static func memorySize(_ bytes: Int) -> String {
        var v = Double(bytes)
        for unit in ["B", "KB", "MB", "GB"] {
            if v < 1024 || unit == "GB" { return fixed2(v) + " " + unit }
            v /= 1024
        }
        return fixed2(v) + " GB"
    }

    private static func fixed2(_ v: Double) -> String {
        let cents = Int((v * 100).rounded())
        let frac = cents % 100
        return "\(cents / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
