import Foundation
import Testing
@testable import Engine

@Suite struct SafeTensorsTests {
    @Test func layoutFollowsTheFormat() throws {
        let bytes = try SafeTensors.encode([.init(name: "a/kernel", shape: [2, 1], values: [1, -2]),
                                            .init(name: "a/bias", shape: [1], values: [0.5])],
                                           metadata: ["k": "v"])
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 12)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.contains("\"a/kernel\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2,1]}"), "\(header)")
        #expect(header.contains("\"a/bias\":{\"data_offsets\":[8,12]"))
        #expect(header.contains("\"__metadata__\":{\"k\":\"v\"}"))
        // float32 little-endian: 1.0 = 00 00 80 3f
        #expect(Array(bytes[(8 + n)..<(8 + n + 4)]) == [0, 0, 0x80, 0x3f])
        let (tensors, metadata) = try SafeTensors.decode(bytes)
        #expect(tensors.map(\.name) == ["a/kernel", "a/bias"])
        #expect(tensors[0].values == [1, -2] && tensors[0].shape == [2, 1])
        #expect(metadata == ["k": "v"])
    }

    @Test func rejectsBadFiles() {
        #expect(throws: ModelFileError.self) { try SafeTensors.decode([1, 2, 3]) }
        let header = Array("{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}".utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += header + [0, 0]
        #expect(throws: ModelFileError.self) { try SafeTensors.decode(bytes) }
    }

    @Test func saveLoadPredictsIdentically() throws {
        let model = try builtModel([Dense.keras(units: 6, activation: .leakyRelu(alpha: 0.3), biasInitializer: .randomNormal(mean: 0, stddev: 0.5), kernelL2: 0.01),
                                    Dense.keras(units: 3, activation: .softmax)], input: [4], seed: 3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path, metadata: ["loss": "sparse_categorical_crossentropy"])

        var rng = RandomGenerator(seed: 1)
        let x = (0..<40).map { _ in Float(rng.uniform(-1, 1)) }
        let want = predict(model, x: x)

        // The layers come from the caller (Runner rebuilds them from the file's model section);
        // the file gives the input shape, the names and the weights.
        let (tensors, stored) = try SafeTensors.read(path)
        let loaded = try Sequential.load(tensors: tensors, metadata: stored,
                                         layers: [Dense.keras(units: 6, activation: .leakyRelu(alpha: 0.3)), Dense.keras(units: 3, activation: .softmax)])
        #expect(loaded.layers.map(\.name) == ["dense", "dense_1"])
        #expect(loaded.inputShape == [4])
        #expect(predict(loaded, x: x) == want)
        // Layers of other kinds than the architecture lists are refused.
        #expect(throws: ModelFileError.self) {
            try Sequential.load(tensors: tensors, metadata: stored, layers: [Dense.keras(units: 6), Dropout(rate: 0.5)])
        }

        // Weights alone into a freshly built model of the same shape.
        let other = try builtModel([Dense.keras(units: 6, activation: .leakyRelu(alpha: 0.3)), Dense.keras(units: 3, activation: .softmax)], input: [4], seed: 99)
        #expect(predict(other, x: x) != want)
        try other.loadWeights(from: path)
        #expect(predict(other, x: x) == want)

        let (_, metadata) = try SafeTensors.read(path)
        #expect(metadata["loss"] == "sparse_categorical_crossentropy")
        #expect(metadata["architecture"]?.contains("\"input_shape\":[4]") == true)
    }

    @Test func loadWeightsChecksShapes() throws {
        let a = try builtModel([Dense.keras(units: 2)], input: [3])
        let b = try builtModel([Dense.keras(units: 2)], input: [4])
        #expect(throws: ModelFileError.self) { try b.loadWeights(a.namedTensors()) }
    }
}
