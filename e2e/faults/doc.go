// Package faults tests that no failure leaves a password change unnoticed: a client
// hanging up and the binary killed with -9 while MongoDB holds one of a reset's
// commands (harness.WireProxy), and, in process, resets racing on one link and a user
// store failing at a chosen step.
package faults
