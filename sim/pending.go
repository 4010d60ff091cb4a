package sim

// Pending are the violations expected until their fixes land: none now. Each
// finding the simulator showed on the redesign of issue 17 was fixed (dom17) or
// named as a window the design keeps (docs/operations.md).
var Pending = Known{}

// PendingFindings names, for each finding of Findings whose fix is pending, what
// fixes it: none now.
var PendingFindings = map[string]string{}
