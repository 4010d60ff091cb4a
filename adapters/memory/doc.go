// Package memory holds in-memory adapters of the ports, for demo mode and tests.
// They are real adapters: they pass the same contract suites as the MongoDB ones,
// but nothing in them outlives the process or is shared between instances.
package memory
