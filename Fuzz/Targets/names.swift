// libFuzzer entry of the "names" target; the logic is FuzzEntry.names in Fuzz/Entry/FuzzEntries.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.names(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
