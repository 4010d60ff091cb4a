package sim

// Pending are the violations expected until their fixes land, found by the
// simulator on the redesign of issue 17 (dom17): a failed message that outbox
// retry requeued twice.
var Pending = Known{
	"requeued more than once": "I1, I2 by outbox retry requeuing a failed message twice (no fix yet)",
}

// PendingFindings names, for each finding of Findings whose fix is pending, what
// fixes it.
var PendingFindings = map[string]string{
	"also": "none yet (issue 17's \"also seen\": two outbox retry runs)",
}
