// One training step (forward + backward, gradients accumulated) of a Dense and of a Conv2D layer,
// timed after a warm-up. Prints OpenBLAS's kernel name and the machine's load so numbers can be
// compared; the machine is shared, so repeat a run that looks disturbed.
import Dispatch
import Engine

func seconds(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

// The benchmarked layers (the convolutions all ReLU) with Keras's defaults for what they do not
// set (the Engine takes every argument; the runner binds the catalog's defaults).
func dense(_ units: Int, _ activation: Activation) -> Dense {
    Dense(units: units, activation: activation, useBias: true, kernelInitializer: .glorotUniform, biasInitializer: .zeros,
          kernelL1: 0, kernelL2: 0)
}

func conv(_ filters: Int, _ size: Int, _ padding: Padding) -> Conv2D {
    Conv2D(filters: filters, kernelSize: (size, size), strides: (1, 1), padding: padding, activation: .relu, useBias: true,
           kernelInitializer: .glorotUniform, biasInitializer: .zeros, kernelL1: 0, kernelL2: 0)
}

func pool(_ size: Int) -> MaxPooling2D { MaxPooling2D(poolSize: (size, size), strides: nil, padding: .valid) }

func random(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
    let t = Tensor(shape: shape)
    for i in 0..<t.count { t[i] = Float(rng.normal()) }
    return t
}

/// Median milliseconds per step over `repeats` rounds of `steps` steps.
func bench(_ layer: any Layer, inputShape: [Int], batch: Int, steps: Int, repeats: Int = 5) -> Double {
    var rng = RandomGenerator(seed: 1)
    try! layer.build(inputShape: inputShape, rng: &rng)
    let x = random([batch] + inputShape, &rng)
    let dy = random([batch] + layer.outputShape, &rng)
    func step() { _ = layer.forward(x, training: true); _ = layer.backward(dy) }
    for _ in 0..<3 { step() }
    var times: [Double] = []
    for _ in 0..<repeats { times.append(seconds { for _ in 0..<steps { step() } } / Double(steps) * 1000) }
    return times.sorted()[repeats / 2]
}

func loadAverage() -> String {
    guard let f = fopen("/proc/loadavg", "r") else { return "?" }
    defer { fclose(f) }
    var buf = [CChar](repeating: 0, count: 128)
    guard fgets(&buf, 128, f) != nil else { return "?" }
    return String(decoding: buf.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif

// Portable kernels as runner runs them: OPENBLAS_CORETYPE=Haswell DNNL_MAX_CPU_ISA=AVX2 in the environment.
print("OpenBLAS core: \(Kernels.blasCore), oneDNN ISA: \(Kernels.dnnlISA); load average before: \(loadAverage())")

/// `EngineBench cnn|mlp THREADS SAMPLES [BATCH]`: `fit` for one epoch on SAMPLES random 28×28
/// images of the small CNN of experiments/fashion_cnn.yaml (Adam, batch 64) or the MLP
/// 784-300-100-10 (SGD, batch 32); prints samples/s.
if CommandLine.arguments.count > 1, ["cnn", "mlp"].contains(CommandLine.arguments[1]) {
    let cnn = CommandLine.arguments[1] == "cnn"
    let threads = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 2
    let n = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3])! : 6400
    let batch = CommandLine.arguments.count > 4 ? Int(CommandLine.arguments[4])! : (cnn ? 64 : 32)
    Threads.set(threads)
    var rng = RandomGenerator(seed: 7)
    let data = Dataset(sampleShape: [28, 28, 1], x: (0..<(n * 784)).map { _ in Float(rng.normal()) },
                       y: (0..<n).map { _ in Float(rng.next() % 10) }, task: .classification(classes: 10, names: nil))
    let model = Sequential(cnn ? [
        conv(32, 3, .same), pool(2), conv(64, 3, .valid), pool(2), Flatten(),
        dense(128, .relu), Dropout(rate: 0.3), dense(10, .softmax),
    ] : [
        Flatten(), dense(300, .relu), dense(100, .relu), dense(10, .softmax),
    ])
    try! model.build(inputShape: [28, 28, 1], seed: 1)
    // Keras's defaults, as the runner binds them from the catalog: adam for the CNN, sgd for the MLP.
    let rule: UpdateRule = cnn ? Adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false) : SGD(momentum: 0, nesterov: false)
    let optimizer = Optimizer(rule: rule, learningRate: .constant(cnn ? 0.001 : 0.01),
                              clipping: GradientClipping(clipnorm: nil, clipvalue: nil, globalClipnorm: nil), weightDecay: 0)
    let config = FitConfig(loss: .sparseCategoricalCrossentropy(name: "sparse_categorical_crossentropy", fromLogits: false), optimizer: optimizer,
                           metrics: [Metric(name: "accuracy", kind: .accuracy)], epochs: 1, batchSize: batch, shuffle: true, seed: 0,
                           callbacks: [])
    _ = try! fit(model, train: data.subset(Array(0..<640)), config: config)   // warm-up: plans, JIT
    let t = seconds { _ = try! fit(model, train: data, config: config) }
    print("\(cnn ? "small CNN" : "MLP") batch \(batch), \(threads) thread(s): \(Int(Double(n) / t)) samples/s (\(n) samples in \(t) s)")
    exit(0)
}

for threads in [1, 2] {
    Threads.set(threads)
    let cases: [(String, any Layer, [Int], Int, Int)] = [
        ("Dense 784->300 relu, batch 32", dense(300, .relu), [784], 32, 200),
        ("Dense 784->300 relu, batch 256", dense(300, .relu), [784], 256, 50),
        ("Conv2D 1->64 7x7 same relu 28x28, batch 32", conv(64, 7, .same), [28, 28, 1], 32, 10),
        ("  same, as a first layer (no input gradient)", { let c = conv(64, 7, .same); c.computesInputGradient = false; return c }(), [28, 28, 1], 32, 10),
        ("Conv2D 64->128 3x3 same relu 14x14, batch 32", conv(128, 3, .same), [14, 14, 64], 32, 5),
        ("MaxPooling2D 2 on 28x28x64, batch 32", pool(2), [28, 28, 64], 32, 20),
        ("BatchNormalization 28x28x64, batch 32", BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true), [28, 28, 64], 32, 20),
    ]
    for (label, layer, shape, batch, steps) in cases {
        let ms = bench(layer, inputShape: shape, batch: batch, steps: steps)
        print("\(threads) thread(s)  \(label): \((ms * 1000).rounded() / 1000) ms/step")
    }
}
print("load average after: \(loadAverage())")
