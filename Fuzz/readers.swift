// libFuzzer targets for the binary readers: the bytes are written to a scratch file and read
// by the same entry points `runner run` and `runner predict` use. Any input may be refused
// with an error; none may crash, hang or allocate what the file merely claims.
#if canImport(Glibc)
import Glibc
#endif

/// A scratch file per process under /dev/shm (or /tmp), rewritten for every input.
private let scratch: String = {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(dir)/runner-fuzz-\(getpid())"
}()

private func write(_ data: UnsafePointer<UInt8>, _ size: Int, suffix: String = "") -> String {
    let path = scratch + suffix
    let f = fopen(path, "wb")!
    if size > 0 { fwrite(data, 1, size, f) }
    fclose(f)
    return path
}

/// Which reader this run fuzzes: one binary serves all four (`scripts/fuzz` sets it).
private let target: String = getenv("RUNNER_FUZZ_TARGET").map { String(cString: $0) } ?? "npy"

/// A small layer of `kind`, for the model-file target (nil for a kind it does not cover).
private func standIn(_ kind: String) -> Layer? {
    switch kind {
    case "Dense": Dense(units: 3, activation: .relu, useBias: true, kernelInitializer: .glorotUniform, biasInitializer: .zeros,
                        kernelL1: 0, kernelL2: 0)
    case "Conv2D": Conv2D(filters: 2, kernelSize: (2, 2), strides: (1, 1), padding: .valid, activation: .linear, useBias: true,
                          kernelInitializer: .glorotUniform, biasInitializer: .zeros, kernelL1: 0, kernelL2: 0)
    case "MaxPooling2D": MaxPooling2D(poolSize: (2, 2), strides: nil, padding: .valid)
    case "Flatten": Flatten()
    case "Dropout": Dropout(rate: 0.5)
    default: nil
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    switch target {
    case "npy":
        let path = write(data, size, suffix: ".npy")
        _ = try? NPY.loadArray(path)
        // The same bytes as features, with a small label file beside them.
        _ = try? NPY.load(NPYSource(x: path, y: path))
    case "idx":
        let path = write(data, size)
        _ = try? IDX.loadImages(path)
        _ = try? IDX.load(images: path, labels: path)
    case "gzip":
        let path = write(data, size, suffix: ".gz")
        _ = try? Gzip.readMaybeCompressed(path)
    case "safetensors":
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        _ = try? SafeTensors.decode(bytes)
        let path = write(data, size, suffix: ".safetensors")
        // A model file's Engine half: its tensors and stored architecture (kinds, names, input
        // shape), loaded into layers of those kinds. The layers' arguments come from the file's
        // `model` section through Spec and Runner (the one layer factory), outside this Engine-only
        // harness; small fixed ones stand in, so the checks before allocation meet any shapes.
        if let (tensors, metadata) = try? SafeTensors.read(path), let arch = try? Sequential.architecture(metadata) {
            let layers = arch.layers.compactMap { standIn($0.kind) }
            if layers.count == arch.layers.count,
               let model = try? Sequential.load(tensors: tensors, metadata: metadata, layers: layers) {
                let width = model.inputShape.reduce(1, *)
                if width <= 4096 { _ = predict(model, x: [Float](repeating: 0.5, count: width), batchSize: 1) }
            }
        }
    default:
        fatalError("unknown RUNNER_FUZZ_TARGET \(target)")
    }
    return 0
}
