/// A block of Float32 values with a shape, channels-last as Keras: (N, H, W, C) or (N, features).
///
/// A tensor owns its memory and keeps it: `resize` grows the allocation only when the new
/// shape needs more room, so a layer that resizes its buffers to each batch allocates once
/// per batch size, never per batch. Tensors are not shared between threads; each trial builds
/// its own model.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    public private(set) var count: Int
    public private(set) var data: UnsafeMutablePointer<Float>
    private var capacity: Int

    public init(shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
        capacity = max(count, 1)
        data = Self.allocate(capacity)
        data.initialize(repeating: 0, count: capacity)
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
        self.init(shape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    /// Memory on a 64-byte cache-line boundary: malloc's large blocks start 16 bytes past a page,
    /// so every 64-byte vector load or store of an NHWC pixel with 16k channels would touch two
    /// lines. Only the speed depends on it.
    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: n)
    }

    /// Gives the tensor a new shape, keeping its memory when it is large enough.
    /// The contents are unspecified afterwards unless the count is unchanged.
    public func resize(_ newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if n > capacity {
            data.deallocate()
            capacity = n
            data = Self.allocate(n)
            data.initialize(repeating: 0, count: n)
        }
        shape = newShape
        count = n
    }

    /// The first axis: the batch size for batched tensors.
    public var batch: Int { shape.first ?? 1 }
    /// Values per sample: the product of every axis but the first.
    public var sampleCount: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }
    public var array: [Float] { Array(buffer) }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    public func copy(from other: Tensor) {
        resize(other.shape)
        data.update(from: other.data, count: count)
    }

    public func copy(from values: [Float]) {
        precondition(values.count == count, "Tensor.copy: \(values.count) values into \(count)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }
}
