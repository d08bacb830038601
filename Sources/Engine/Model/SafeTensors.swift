import Foundation

/// The safetensors file format (Hugging Face): an 8-byte little-endian header length N, then
/// N bytes of JSON (UTF-8, padded with spaces to a multiple of 8 so the data is aligned),
/// then the tensors' bytes back to back.
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [...], "data_offsets":
/// [begin, end]}` (offsets relative to the end of the header) and may hold `__metadata__`, a
/// map of strings to strings. Only float32 little-endian tensors are written and read.
public enum SafeTensors {
    /// One named tensor.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// The bytes of a file holding `tensors` (in this order) and `metadata`.
    public static func encode(_ tensors: [Entry], metadata: [String: String] = [:]) throws(ModelFileError) -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        var names = Set<String>()
        for t in tensors {
            guard t.name != "__metadata__", names.insert(t.name).inserted else {
                throw ModelFileError(EngineSay.duplicateTensorName(t.name))
            }
            guard t.shape.reduce(1, *) == t.values.count else {
                throw ModelFileError(EngineSay.tensorCountMismatch(t.name, count: t.values.count, shape: t.shape))
            }
            let end = offset + 4 * t.values.count
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        var json: [UInt8]
        do {
            json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw ModelFileError(EngineSay.cannotEncodeHeader(error))
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for t in tensors {
            for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    private static func info(_ value: Any) -> [String: Any]? { value as? [String: Any] }

    /// The tensors (in data order) and metadata of a file's bytes.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> (tensors: [Entry], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw ModelFileError(EngineSay.safetensorsTooShort(bytes.count)) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw ModelFileError(EngineSay.headerExceedsFile(n, fileSize: bytes.count))
        }
        let dataStart = 8 + Int(n)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw ModelFileError(EngineSay.headerNotJSON)
        }
        guard let header = object as? [String: Any] else { throw ModelFileError(EngineSay.headerNotObject) }
        var metadata: [String: String] = [:]
        var entries: [(begin: Int, entry: Entry)] = []
        let dataCount = bytes.count - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw ModelFileError(EngineSay.badMetadata)
                }
                metadata = m
                continue
            }
            // Every number is the file's claim: whole, non-negative, and checked against the
            // bytes present (with overflow-safe arithmetic) before anything is allocated.
            func sizes(_ key: String) -> [Int]? {
                guard let list = info(value)?[key] as? [Any] else { return nil }
                let v = list.map { item -> Int? in
                    guard let n = item as? NSNumber else { return nil }
                    let d = n.doubleValue
                    guard d >= 0, d <= Double(1 << 53), d == d.rounded() else { return nil }
                    return n.intValue
                }
                return v.contains(nil) ? nil : v.map { $0! }
            }
            guard let dtype = info(value)?["dtype"] as? String, let shape = sizes("shape"),
                  let offsets = sizes("data_offsets"), offsets.count == 2 else {
                throw ModelFileError(EngineSay.tensorLacksFields(name))
            }
            guard dtype == "F32" else { throw ModelFileError(EngineSay.unsupportedDtype(name, dtype)) }
            guard let count = checkedProduct(shape), let bytesNeeded = checkedProduct([count, 4]),
                  offsets[0] <= offsets[1], offsets[1] <= dataCount, offsets[1] - offsets[0] == bytesNeeded else {
                throw ModelFileError(EngineSay.offsetsDoNotFit(name, offsets: offsets, shape: shape))
            }
            var values = [Float](repeating: 0, count: count)
            let base = dataStart + offsets[0]
            for i in 0..<count {
                let p = base + 4 * i
                let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            entries.append((offsets[0], Entry(name: name, shape: shape, values: values)))
        }
        return (entries.sorted { $0.begin < $1.begin }.map(\.entry), metadata)
    }

    public static func write(_ tensors: [Entry], metadata: [String: String] = [:], to path: String) throws(ModelFileError) {
        let bytes = try encode(tensors, metadata: metadata)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError(EngineSay.cannotWriteModel(path, error.localizedDescription))
        }
    }

    public static func read(_ path: String) throws(ModelFileError) -> (tensors: [Entry], metadata: [String: String]) {
        // Our own reader, not Foundation's Data(contentsOf:), which leaks a buffer on an empty
        // file (LeakSanitizer in scripts/fuzz safetensors).
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw ModelFileError(EngineSay.cannotReadModel(path, error))
        }
        return try decode(bytes)
    }
}

/// A model file that cannot be written, read, or matched to a model.
public struct ModelFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A model's architecture as stored in the file's metadata (key "architecture", JSON): the
/// input shape and each layer's Keras class name and name. A layer's arguments are not the
/// Engine's to store: the caller keeps them beside it as data (Runner: the resolved `model`
/// section) and rebuilds the layers from them, the way a run builds them.
public struct Architecture: Codable, Sendable, Equatable {
    public struct LayerEntry: Codable, Sendable, Equatable {
        public var kind: String
        public var name: String
    }

    public var inputShape: [Int]
    public var layers: [LayerEntry]

    enum CodingKeys: String, CodingKey {
        case inputShape = "input_shape"
        case layers
    }

    public init(_ model: Sequential) {
        inputShape = model.inputShape
        layers = model.layers.map { LayerEntry(kind: $0.kind, name: $0.name) }
    }

    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, ints and string maps cannot fail.
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init(json: String) throws(ModelFileError) {
        do {
            self = try JSONDecoder().decode(Architecture.self, from: Data(json.utf8))
        } catch {
            throw ModelFileError(EngineSay.badArchitecture(error))
        }
    }
}

/// What a model file may claim, checked before anything is allocated: the file is user input.
public enum ModelFileLimits {
    /// The largest size the stored input shape may give an axis.
    public static let maxSize = 1 << 24
    /// The most values one sample may have at any layer: a sixteenth of the machine's memory
    /// in float32s, so a batch of them still fits.
    public static let maxActivation = FileBytes.physicalMemory / 64
}

extension Sequential {
    /// The model's tensors named "layer/parameter" (Keras's variable paths, e.g. "dense/kernel"),
    /// in model order, non-trainable ones included.
    public func namedTensors() -> [SafeTensors.Entry] {
        layers.flatMap { layer in
            layer.parameters.map { SafeTensors.Entry(name: "\(layer.name)/\($0.name)", shape: $0.shape, values: $0.value.array) }
        }
    }

    /// Writes the weights and the architecture (metadata "architecture") as safetensors.
    /// `metadata` adds string entries (e.g. the loss, the seed, the tool's version) and `extra`
    /// tensors that are not the model's (e.g. preprocessing statistics); loading ignores them.
    public func save(to path: String, metadata: [String: String] = [:], extra: [SafeTensors.Entry] = []) throws(ModelFileError) {
        guard isBuilt else { throw ModelFileError(EngineSay.saveUnbuilt) }
        var m = metadata
        m["format"] = "runner-sequential"
        m["architecture"] = Architecture(self).json()
        try SafeTensors.write(namedTensors() + extra, metadata: m, to: path)
    }

    /// Copies the file's tensors into this built model, matching by name and shape; every
    /// parameter must be found.
    public func loadWeights(from path: String) throws(ModelFileError) {
        try loadWeights(SafeTensors.read(path).tensors)
    }

    public func loadWeights(_ tensors: [SafeTensors.Entry]) throws(ModelFileError) {
        guard isBuilt else { throw ModelFileError(EngineSay.loadIntoUnbuilt) }
        var byName: [String: SafeTensors.Entry] = [:]
        for t in tensors { byName[t.name] = t }
        for layer in layers {
            for p in layer.parameters {
                let name = "\(layer.name)/\(p.name)"
                guard let t = byName[name] else { throw ModelFileError(EngineSay.noTensor(name)) }
                guard t.shape == p.shape else {
                    throw ModelFileError(EngineSay.tensorShapeDiffers(name, file: t.shape, model: p.shape))
                }
                if let i = t.values.firstIndex(where: { !$0.isFinite }) {
                    throw ModelFileError(EngineSay.nonFiniteWeight(name, t.values[i], at: i))
                }
                p.value.copy(from: t.values)
            }
        }
    }

    /// Rebuilds a model from the contents of a file written by `save` (`SafeTensors.read`):
    /// `layers`, new and unbuilt, made by the caller from the arguments it stored beside the
    /// architecture, must match the architecture's kinds; they are built for its input shape
    /// (each layer's weights checked against the tensors the file holds first), named as
    /// stored, and given the file's weights.
    public static func load(tensors: [SafeTensors.Entry], metadata: [String: String], layers: [Layer]) throws(ModelFileError) -> Sequential {
        let arch = try architecture(metadata)
        guard layers.map(\.kind) == arch.layers.map(\.kind) else {
            throw ModelFileError(EngineSay.storedLayersDiffer(stored: arch.layers.map(\.kind), given: layers.map(\.kind)))
        }
        let model = Sequential(layers)
        // Every weight a layer allocates must be in the file: a layer may not ask for more
        // values than the file's tensors under its name hold, checked before it allocates.
        var stored: [String: Int] = [:]
        for t in tensors { stored[String(t.name.prefix { $0 != "/" }), default: 0] += t.values.count }
        do throws(ShapeError) {
            try model.build(inputShape: arch.inputShape, seed: 0) { (i, layer, shape) throws(ShapeError) in
                guard let perSample = checkedProduct(shape), perSample <= ModelFileLimits.maxActivation else {
                    throw ShapeError(layerIndex: i, EngineSay.storedInputTooLarge(arch.layers[i].name, shape))
                }
                guard let needed = weightsNeeded(layer, inputShape: shape) else {
                    throw ShapeError(layerIndex: i, EngineSay.storedTooManyWeights(arch.layers[i].name, shape))
                }
                let held = stored[arch.layers[i].name, default: 0]
                guard needed <= held else {
                    throw ShapeError(layerIndex: i, EngineSay.storedWeightsMissing(arch.layers[i].name, layer.kind, needed: needed, shape, held: held))
                }
            }
            guard let out = checkedProduct(model.outputShape), out <= ModelFileLimits.maxActivation else {
                throw ShapeError(EngineSay.storedOutputTooLarge(model.outputShape))
            }
        } catch {
            throw ModelFileError(EngineSay.storedDoesNotBuild(error.message))
        }
        for (layer, entry) in zip(model.layers, arch.layers) where layer.name != entry.name {
            layer.name = entry.name
        }
        try model.loadWeights(tensors)
        return model
    }

    /// The architecture a model file's metadata stores, its input shape checked.
    public static func architecture(_ metadata: [String: String]) throws(ModelFileError) -> Architecture {
        guard let json = metadata["architecture"] else {
            throw ModelFileError(EngineSay.noArchitecture)
        }
        let arch = try Architecture(json: json)
        guard !arch.inputShape.isEmpty, arch.inputShape.count <= 8,
              arch.inputShape.allSatisfy({ $0 > 0 && $0 <= ModelFileLimits.maxSize }) else {
            throw ModelFileError(EngineSay.badStoredInputShape(arch.inputShape, maxSize: ModelFileLimits.maxSize))
        }
        return arch
    }
}

/// The product of `sizes`, or nil when it overflows or a size is negative.
public func checkedProduct(_ sizes: [Int]) -> Int? {
    var p = 1
    for s in sizes {
        guard s >= 0 else { return nil }
        let (r, o) = p.multipliedReportingOverflow(by: s)
        if o { return nil }
        p = r
    }
    return p
}

/// How many weights `layer` allocates when built for `inputShape` (at least; nil when the
/// count overflows), from its arguments alone, so a model file's claims can be checked first.
public func weightsNeeded(_ layer: Layer, inputShape: [Int]) -> Int? {
    switch layer {
    case let d as Dense:
        return checkedProduct([inputShape.last ?? 0, d.units])
    case let c as Conv2D:
        return checkedProduct([c.kernelSize.0, c.kernelSize.1, inputShape.last ?? 0, c.filters])
    case is BatchNormalization:
        return inputShape.last ?? 0
    default:
        return 0
    }
}
