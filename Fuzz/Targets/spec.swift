// libFuzzer entry of the "spec" target; the logic is FuzzEntry.spec in Fuzz/Entry/FuzzEntries.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.spec(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
