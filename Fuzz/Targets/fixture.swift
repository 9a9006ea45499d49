// libFuzzer entry of the "fixture" target; the logic is FuzzEntry.fixture in Fuzz/Entry/FuzzEntries.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.fixture(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
