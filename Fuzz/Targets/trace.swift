// libFuzzer entry of the "trace" target; the logic is FuzzEntry.trace in Fuzz/Entry/FuzzEntries.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.trace(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
