// Package simpg runs the simulator of package sim on the PostgreSQL adapters,
// against a throw-away PostgreSQL (pgtest), with fewer seeds than on the memory
// stores: its tests are all it has.
package simpg
