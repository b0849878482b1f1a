/// A connection's unparsed input: contiguous bytes, compacted and grown only up to a bound.
final class InputBuffer {
    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var readerIndex = 0
    private var writerIndex = 0
    let initialCapacity: Int
    let capacityMax: Int

    init(initialCapacity: Int, capacityMax: Int) {
        precondition(initialCapacity > 0 && capacityMax >= initialCapacity)
        self.initialCapacity = initialCapacity
        self.capacityMax = capacityMax
        capacity = initialCapacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: initialCapacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var readableCount: Int { writerIndex - readerIndex }

    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + readerIndex, count: writerIndex - readerIndex)
    }

    func consume(_ count: Int) {
        precondition(count >= 0 && count <= readableCount, "consumed more than was readable")
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    func consumeAll() {
        consume(readableCount)
    }

    /// Free space for the next read: compacts, then grows towards `minimum` free bytes within `capacityMax`.
    func writableSpace(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - writerIndex < minimum && readerIndex > 0 {
            let count = readableCount
            (storage).copyMemory(from: storage + readerIndex, byteCount: count)
            readerIndex = 0
            writerIndex = count
        }
        if capacity - writerIndex < minimum && capacity < capacityMax {
            resize(to: min(capacityMax, max(capacity * 2, writerIndex + minimum)))
        }
        return UnsafeMutableRawBufferPointer(start: storage + writerIndex, count: capacity - writerIndex)
    }

    func didWrite(_ count: Int) {
        precondition(count >= 0 && writerIndex + count <= capacity, "wrote past the buffer")
        writerIndex += count
    }

    /// Gives back memory a large request needed once the buffer is empty again.
    func shrinkIfEmpty() {
        if readableCount == 0 && capacity > initialCapacity {
            resize(to: initialCapacity)
        }
    }

    private func resize(to newCapacity: Int) {
        precondition(newCapacity >= readableCount && newCapacity <= capacityMax)
        let replacement = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        replacement.copyMemory(from: storage + readerIndex, byteCount: readableCount)
        writerIndex = readableCount
        readerIndex = 0
        storage.deallocate()
        storage = replacement
        capacity = newCapacity
    }
}
