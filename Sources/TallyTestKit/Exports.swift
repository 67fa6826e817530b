// Tests write sample app databases (and seed the demo) through the test kit, as they did before the sample
// app moved to TallyDemo so that tally-sandbox no longer links the test kit.
@_exported import TallyDemo
