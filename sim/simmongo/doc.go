// Package simmongo runs the simulator of package sim on the MongoDB adapters,
// against FerretDB (or the MongoDB at MONGODB_TEST_URI), with fewer seeds than on
// the memory stores: its tests are all it has.
package simmongo
