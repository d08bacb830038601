/// The layer factory for model files: Keras class name + the `config` strings a layer
/// reports → a new, unbuilt layer, for every layer the engine has; an unknown kind is an error
/// naming it.
public func standardLayerFactory(_ kind: String, _ config: [String: String]) throws(ModelFileError) -> Layer {
    let c = ConfigReader(kind: kind, config: config)
    let layer = try makeLayer(kind, c)
    if let l = layer as? BiasRegularized {
        let r = try c.regularizer("bias_regularizer")
        l.biasL1 = r.l1
        l.biasL2 = r.l2
    }
    return layer
}

private func makeLayer(_ kind: String, _ c: ConfigReader) throws(ModelFileError) -> Layer {
    switch kind {
    case "Dense":
        let reg = try c.regularizer("kernel_regularizer")
        return Dense(units: try c.int("units"),
                     activation: try c.activation("activation"),
                     useBias: try c.bool("use_bias", default: true),
                     kernelInitializer: try c.initializer("kernel_initializer", default: .glorotUniform),
                     biasInitializer: try c.initializer("bias_initializer", default: .zeros),
                     kernelL1: reg.l1, kernelL2: reg.l2)
    case "Activation":
        return ActivationLayer(activation: try c.activation("activation"))
    case "Conv2D":
        let reg = try c.regularizer("kernel_regularizer")
        return Conv2D(filters: try c.int("filters"), kernelSize: try c.pair("kernel_size"),
                      strides: try c.pair("strides", default: (1, 1)), padding: try c.padding("padding"),
                      activation: try c.activation("activation"), useBias: try c.bool("use_bias", default: true),
                      kernelInitializer: try c.initializer("kernel_initializer", default: .glorotUniform),
                      biasInitializer: try c.initializer("bias_initializer", default: .zeros),
                      kernelL1: reg.l1, kernelL2: reg.l2)
    case "MaxPooling2D":
        return MaxPooling2D(poolSize: try c.pair("pool_size", default: (2, 2)), strides: try c.optionalPair("strides"),
                            padding: try c.padding("padding"))
    case "AveragePooling2D":
        return AveragePooling2D(poolSize: try c.pair("pool_size"), strides: try c.optionalPair("strides"),
                                padding: try c.padding("padding"))
    case "GlobalAveragePooling2D":
        return GlobalAveragePooling2D()
    case "Flatten":
        return Flatten()
    case "Reshape":
        let target = try c.ints("target_shape", allowingMinusOne: true)
        guard let size = checkedProduct(target.filter { $0 != -1 }), size <= ConfigReader.maxActivation else {
            throw ModelFileError("Reshape: config \"target_shape\" = \(target) holds too many values")
        }
        return Reshape(targetShape: target)
    case "Dropout":
        let rate = try c.float("rate", in: 0...1, excluding: [1])
        return Dropout(rate: rate, seed: try c.optionalSeed("seed"))
    case "BatchNormalization":
        let epsilon = try c.float("epsilon", default: 1e-3, in: 0...Float.greatestFiniteMagnitude, excluding: [0])
        return BatchNormalization(momentum: try c.float("momentum", default: 0.99, in: 0...1), epsilon: epsilon,
                                  center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
    default:
        throw ModelFileError("the model file has a layer of kind \"\(kind)\", which this build cannot make")
    }
}

/// Reads typed values out of a layer's config strings (the forms `Layer.config` writes:
/// "True"/"False", numbers, and Keras-like calls such as "leaky_relu(alpha=0.3)" or
/// "L1L2(l1=0.01, l2=0.001)").
struct ConfigReader {
    let kind: String
    let config: [String: String]

    private func fail(_ key: String, _ what: String) -> ModelFileError {
        ModelFileError("\(kind): config \"\(key)\" = \(config[key].map { "\"\($0)\"" } ?? "missing") is not \(what)")
    }

    /// The largest size a model file may give any axis, count of units or filters, kernel or
    /// stride: the file is user input, and the layers trust their arguments.
    static let maxSize = 1 << 24
    /// The most values one sample may have at any layer: a sixteenth of the machine's memory
    /// in float32s, so a batch of them still fits.
    static let maxActivation = FileBytes.physicalMemory / 64

    /// A size in 1…`maxSize`.
    func int(_ key: String) throws(ModelFileError) -> Int {
        guard let s = config[key], let v = Int(s), v > 0, v <= Self.maxSize else {
            throw fail(key, "an integer from 1 to \(Self.maxSize)")
        }
        return v
    }

    /// A finite number in `range`.
    func float(_ key: String, default d: Float? = nil, in range: ClosedRange<Float> = -Float.greatestFiniteMagnitude...Float.greatestFiniteMagnitude,
               excluding excluded: Set<Float> = []) throws(ModelFileError) -> Float {
        guard let s = config[key] else {
            if let d { return d }
            throw fail(key, "a number")
        }
        guard let v = Float(s), range.contains(v), !excluded.contains(v) else {
            throw fail(key, excluded.isEmpty ? "a number in [\(range.lowerBound), \(range.upperBound)]"
                                             : "a number in [\(range.lowerBound), \(range.upperBound)] other than \(excluded.sorted())")
        }
        return v
    }

    /// "(a, b, …)" or "a" → the integers, each in 1…`maxSize` (or -1 where `allowingMinusOne`),
    /// at most 8 of them.
    func ints(_ key: String, allowingMinusOne: Bool = false) throws(ModelFileError) -> [Int] {
        guard let s = config[key] else { throw fail(key, "a tuple of integers") }
        let inner = s.hasPrefix("(") && s.hasSuffix(")") ? String(s.dropFirst().dropLast()) : s
        let v = inner.split(separator: ",").map { Int($0.trimmedSpaces()) }
        guard !v.isEmpty, v.count <= 8,
              v.allSatisfy({ $0.map { ($0 > 0 && $0 <= Self.maxSize) || (allowingMinusOne && $0 == -1) } ?? false }) else {
            throw fail(key, "a tuple of up to 8 integers from 1 to \(Self.maxSize)" + (allowingMinusOne ? " (or -1)" : ""))
        }
        return v.map { $0! }
    }

    func pair(_ key: String, default d: (Int, Int)? = nil) throws(ModelFileError) -> (Int, Int) {
        if config[key] == nil, let d { return d }
        let v = try ints(key)
        switch v.count {
        case 1: return (v[0], v[0])
        case 2: return (v[0], v[1])
        default: throw fail(key, "one or two integers")
        }
    }

    func optionalPair(_ key: String) throws(ModelFileError) -> (Int, Int)? {
        guard let s = config[key], s != "None" else { return nil }
        return try pair(key)
    }

    func optionalSeed(_ key: String) throws(ModelFileError) -> UInt64? {
        guard let s = config[key], s != "None" else { return nil }
        guard let v = UInt64(s) else { throw fail(key, "an unsigned integer or None") }
        return v
    }

    func padding(_ key: String) throws(ModelFileError) -> Padding {
        guard let s = config[key] else { return .valid }
        guard let p = Padding(rawValue: s) else { throw fail(key, "valid or same") }
        return p
    }

    func bool(_ key: String, default d: Bool) throws(ModelFileError) -> Bool {
        guard let s = config[key] else { return d }
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default: throw fail(key, "True or False")
        }
    }

    /// "name" or "name(k=v, k=v)" → the name and the arguments.
    static func call(_ s: String) -> (name: String, args: [String: Float])? {
        guard let open = s.firstIndex(of: "(") else { return (s, [:]) }
        guard s.hasSuffix(")") else { return nil }
        let name = String(s[..<open])
        let inner = s[s.index(after: open)..<s.index(before: s.endIndex)]
        var args: [String: Float] = [:]
        for part in inner.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmedSpaces() }
            guard kv.count == 2, let v = Float(kv[1]), v.isFinite else { return nil }
            args[kv[0]] = v
        }
        return (name, args)
    }

    func activation(_ key: String) throws(ModelFileError) -> Activation {
        guard let s = config[key] else { return .linear }
        guard let (name, args) = Self.call(s), let a = Activation(name: name) else { throw fail(key, "a known activation") }
        switch a {
        case .leakyRelu: return .leakyRelu(alpha: args["alpha"] ?? 0.2)
        case .elu: return .elu(alpha: args["alpha"] ?? 1.0)
        default: return a
        }
    }

    func initializer(_ key: String, default d: Initializer) throws(ModelFileError) -> Initializer {
        guard let s = config[key] else { return d }
        guard let (name, args) = Self.call(s), let i = Initializer(name: name) else { throw fail(key, "a known initializer") }
        switch i {
        case .randomUniform: return .randomUniform(minval: args["minval"] ?? -0.05, maxval: args["maxval"] ?? 0.05)
        case .randomNormal: return .randomNormal(mean: args["mean"] ?? 0, stddev: args["stddev"] ?? 0.05)
        default: return i
        }
    }

    func regularizer(_ key: String) throws(ModelFileError) -> (l1: Float, l2: Float) {
        guard let s = config[key], s != "None" else { return (0, 0) }
        guard let (name, args) = Self.call(s), ["L1", "L2", "L1L2"].contains(name) else { throw fail(key, "None, L1, L2 or L1L2") }
        return (args["l1"] ?? 0, args["l2"] ?? 0)
    }
}

private extension Substring {
    func trimmedSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
