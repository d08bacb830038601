/// A block of Float32 values with a shape, channels-last as Keras: (N, H, W, C) or (N, features).
///
/// A tensor owns its memory and keeps it: `resize` grows the allocation only when the new
/// shape needs more room, so a layer that resizes its buffers to each batch allocates once
/// per batch size, never per batch. Tensors are not shared between threads; each trial builds
/// its own model.
///
/// A tensor may instead be a *view* (`view(of:shape:)`): the same values as another tensor
/// under another shape, nothing copied (Flatten's output, Reshape's). The view holds the viewed
/// memory alive, so it never dangles; it shows the other tensor's values as long as that
/// tensor keeps its memory, i.e. until the other tensor grows (`resize` to a larger count),
/// after which the view holds the old values. Layers take views only of their input (or of
/// their output's gradient) and take them again at every call, so a view is exactly as valid
/// as the input the layer already keeps until `backward`.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    public private(set) var count: Int
    public private(set) var data: UnsafeMutablePointer<Float>
    /// Room for `capacity` values from `data`, in `storage`'s allocation (this tensor's own, or
    /// the viewed tensor's).
    private var capacity: Int
    private var storage: Storage

    /// An allocation, freed when the last tensor using it (its owner or a view) lets it go.
    private final class Storage {
        let values: UnsafeMutablePointer<Float>
        init(_ n: Int) {
            // 64-byte cache-line boundary: malloc's large blocks start 16 bytes past a page, so
            // every 64-byte vector load or store of an NHWC pixel with 16k channels would touch
            // two lines. Only the speed depends on it.
            values = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: n)
            values.initialize(repeating: 0, count: n)
        }
        deinit { values.deallocate() }
    }

    public init(shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
        capacity = max(count, 1)
        storage = Storage(capacity)
        data = storage.values
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
        self.init(shape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Gives the tensor a new shape, keeping its memory when it is large enough.
    /// The contents are unspecified afterwards unless the count is unchanged. A view that
    /// grows gets memory of its own (and is no longer a view).
    public func resize(_ newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if n > capacity {
            capacity = n
            storage = Storage(n)
            data = storage.values
        }
        shape = newShape
        count = n
    }

    /// Makes this tensor a view of `base`'s values with `shape` (of the same count): no copy;
    /// writing either writes both. This tensor's own memory is let go.
    public func view(of base: Tensor, shape newShape: [Int]) {
        precondition(newShape.reduce(1, *) == base.count, "Tensor.view: shape \(newShape) for \(base.count) values")
        storage = base.storage
        data = base.data
        capacity = base.count
        shape = newShape
        count = base.count
    }

    /// Whether this tensor's values are `other`'s memory (a view of it, or it of this).
    public func sharesMemory(with other: Tensor) -> Bool { storage === other.storage }

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
